import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { join } from 'node:path';

/**
 * vitest's global setup: bundles the runner (src/cli/lab.ts) once per test run into
 * node_modules/.cache/fairdistill-test/ — its packages stay imports from node_modules, so only the lab's own
 * code is compiled — and names it in FAIRDISTILL_TEST_LAB, which the test processes inherit
 * (src/cli/labUnderTest.ts starts it). One file per test run (two runs side by side do not share it),
 * removed when the run ends.
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
  return () => rmSync(outfile, { force: true });
}
