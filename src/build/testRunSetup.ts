import { build } from 'esbuild';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * vitest's global setup: what a test run prepares once for its files.
 * - The runner (src/cli/lab.ts) bundled into node_modules/.cache/fairdistill-test/ — its packages stay
 *   imports from node_modules, so only the lab's own code is compiled — named in FAIRDISTILL_TEST_LAB,
 *   which the test processes inherit (src/cli/labUnderTest.ts starts it).
 * - A folder for results several files compare against (FAIRDISTILL_TEST_SHARED: the sweep tests' one
 *   unsharded run, src/cli/sweepTestKit.ts).
 * Both are this run's own (two runs side by side share nothing) and removed when it ends.
 */
export default async function setup(): Promise<() => void> {
  const outfile = join(process.cwd(), `node_modules/.cache/fairdistill-test/lab-${process.pid}.mjs`);
  await build({
    entryPoints: [join(process.cwd(), 'src/cli/lab.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
  });
  process.env.FAIRDISTILL_TEST_LAB = outfile;
  const shared = mkdtempSync(join(tmpdir(), 'fdl-test-run-'));
  process.env.FAIRDISTILL_TEST_SHARED = shared;
  return () => {
    rmSync(outfile, { force: true });
    rmSync(shared, { recursive: true, force: true });
  };
}
