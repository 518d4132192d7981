import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The lab sweep's re-check: cells re-run from a later commit (`npm run lab -- --manifest M --shard i/110
 * --results DIR ...`) compared with the committed sweep's cells field by field, leaving out only what
 * differs by nature — wall-clock times, the backend record, the start time and the commit.
 *
 *   npx tsx bench/labRecheck.ts SWEEP_CELLS RECHECK_CELLS OUT.json 0,4,10,14,17,20
 */

import { added, differences, type Json } from './resultDiff';

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
