import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { differences, type Json } from './resultDiff';

/**
 * bench/widerSweep.sh's outcome: which shard prepared the photos and which found them prepared, the
 * shards' peak memory and time, and whether the merged sweep equals the one process's run field by field
 * (timings apart).
 *
 *   npx tsx bench/widerSweepCheck.ts WORK_DIR OUT.json
 */
const [work, out] = process.argv.slice(2);
const text = (f: string) => readFileSync(join(work, f), 'utf8');
const seconds = (a: string, b: string) => Number(text(b)) - Number(text(a));
const shards = [0, 1].map((i) => {
  const log = text(`shard-${i}.log`);
  const time = text(`time-${i}.txt`);
  return {
    shard: `${i}/2`,
    // A shard that found every chunk prepared says so ("N prepared before", N the chunk count).
    prepared: !/\((\d+) chunks, [\d.]+ MB, \1 prepared before\)/.test(log),
    waitedForLock: log.includes('which is preparing this dataset'),
    preparedLine: log.split('\n').find((l) => l.startsWith('prepared data')) ?? null,
    maxResidentSetMB: Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(time)?.[1]) / 1024,
    elapsed: /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (.*)/.exec(time)?.[1]?.trim(),
  };
});
const merged = JSON.parse(text('merged.json')) as { runs: Json[]; provenance: Json };
const one = JSON.parse(text('one.json')) as { runs: Json[] };
const diff = differences(merged.runs as Json, one.runs as Json, '.runs');
const report = {
  what: 'a sweep over a WIDER-format folder of 13,789 generated 640×480 JPEGs at 32 px (tiny preset, one epoch; labels-only, CKD λ 0 and 1), planned, run as two shards side by side on one machine with a fresh chunk cache, merged, and run again as one process from the same cache',
  command: 'bench/widerSweep.sh WIDER WORK; npx tsx bench/widerSweepCheck.ts WORK OUT',
  shards,
  preparations: shards.filter((s) => s.prepared).length,
  shardsSeconds: seconds('t0', 't1'),
  mergeSeconds: seconds('t1', 't2'),
  oneProcessSeconds: seconds('t2', 't3'),
  mergedEqualsOneProcess: diff.length === 0,
  differences: diff.slice(0, 20),
  provenance: merged.provenance,
};
writeFileSync(out, JSON.stringify(report, null, 2));
console.log(
  `${report.preparations} preparation(s); merged ${report.mergedEqualsOneProcess ? 'equals' : 'differs from'} one process${diff.length ? `: ${diff.slice(0, 5).join(', ')}` : ''}`,
);
