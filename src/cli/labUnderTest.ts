/**
 * How the runner's tests start the runner: `node <bundle> …` when vitest's global setup has bundled
 * src/cli/lab.ts once (src/build/testRunSetup.ts, FAIRDISTILL_TEST_LAB), else `node --import tsx
 * src/cli/lab.ts …`. The bundle is the same source, compiled once instead of by tsx in every process: a
 * start costs 0.5 CPU-s instead of 1.3, and the runner's tests start it about sixty times. The README's
 * own command (npm run lab, through tsx) stays tested by the stop-signal and cluster tests.
 */
export function labCommand(args: string[]): [string, string[]] {
  const bundle = process.env.FAIRDISTILL_TEST_LAB;
  return [process.execPath, bundle ? [bundle, ...args] : ['--import', 'tsx', 'src/cli/lab.ts', ...args]];
}

/** The same as one shell command line (for GNU parallel). */
export function labShellCommand(args: string): string {
  const [node, argv] = labCommand([]);
  return [node, ...argv, args].join(' ');
}
