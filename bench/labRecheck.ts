import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The lab sweep's re-check: cells re-run from a later commit (`npm run lab -- --manifest M --shard i/110
 * --results DIR ...`) compared with the committed sweep's cells field by field, leaving out only what
 * differs by nature — wall-clock times, the backend record, the start time and the commit.
 *
 *   npx tsx bench/labRecheck.ts SWEEP_CELLS RECHECK_CELLS OUT.json 0,4,10,14,17,20
 */

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
const TIMING = new Set([
  'seconds',
  'trainSeconds',
  'startedAt',
  'backend',
  'commit',
  'epochSeconds',
  'msPerStep',
  'evalSeconds',
  'latencyMs',
  'latencySpreadMs',
]);

/** The fields the later code writes that the sweep's cells lack. */
export function added(a: Json | undefined, b: Json | undefined, path = ''): string[] {
  if (b === undefined) return [];
  if (a === undefined) return [path];
  if (b === null || typeof b !== 'object' || Array.isArray(b)) return [];
  const ao = a as Record<string, Json>;
  return Object.keys(b).flatMap((k) =>
    TIMING.has(k) ? [] : added(ao[k], (b as Record<string, Json>)[k], `${path}.${k}`),
  );
}

/** The paths where two results differ, timings left out. */
export function differences(a: Json | undefined, b: Json | undefined, path = ''): string[] {
  // A figure the later code adds (absent from the sweep's cells) is reported apart, not as a difference.
  if (a === undefined || b === undefined) return [];
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null)
    return Object.is(a, b) ? [] : [path || '(root)'];
  if (Array.isArray(a) !== Array.isArray(b)) return [path];
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].flatMap((k) =>
    TIMING.has(k) ? [] : differences((a as Record<string, Json>)[k], (b as Record<string, Json>)[k], `${path}.${k}`),
  );
}

const [sweep, recheck, out, list] = process.argv.slice(2);
const read = (dir: string, i: string) =>
  JSON.parse(readFileSync(join(dir, `${i}.json`), 'utf8')) as Record<string, Json>;
const cells = list.split(',').map((i) => {
  const a = read(sweep, i);
  const b = read(recheck, i);
  const result = (b.result ?? b.teacher) as {
    test: { accuracy: number };
    fairness: { excessMeanAbsDisparity: number };
  };
  const diff = differences(a, b);
  return {
    cell: Number(i),
    label: a.label as string,
    sweepCommit: a.commit,
    recheckCommit: b.commit,
    identicalExceptTiming: diff.length === 0,
    differences: diff.slice(0, 20),
    addedFields: added(a, b),
    testAccuracy: result.test.accuracy,
    excess: result.fairness.excessMeanAbsDisparity,
    seconds: [a.seconds, b.seconds],
  };
});
writeFileSync(
  out,
  JSON.stringify(
    {
      what: 'seed 0, one cell per method (and the labels-only student) of the lab sweep re-run from the final main of this round beside the committed cells; compared field by field except timings, the backend record, the start time and the commit (bench/labRecheck.ts)',
      command:
        'npm run lab -- --manifest lab/manifest.json --shard i/110 --results recheck --teachers teachers --threads 1 --backend wasm --kernels relaxed+fused; npx tsx bench/labRecheck.ts lab/cells recheck OUT 0,4,10,14,17,20',
      cells,
    },
    null,
    2,
  ),
);
for (const c of cells)
  console.log(
    `${c.label}: ${c.identicalExceptTiming ? 'identical' : `differs at ${c.differences.join(', ')}`}${c.addedFields.length ? `; new fields: ${c.addedFields.join(', ')}` : ''}`,
  );
