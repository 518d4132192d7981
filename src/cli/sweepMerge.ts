import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { recommendations } from '../engine/metrics/recommendation';
import { planRuns } from '../engine/plan';
import { Evaluation } from '../engine/run/evaluation';
import { withPairedIntervals } from '../engine/run/experiment';
import type { ExperimentResult, ModelResult, RunFailure } from '../engine/types';
import { cellName, sweepData, type SweepManifest } from './sweepManifest';
import type { CellResult } from './shardRun';

/**
 * The sweep's results put back together from its cells' files: per seed, the teacher, the students in
 * plan order with the paired intervals and the recommendation computed over all of them — exactly what
 * one process running the whole sweep reports. Refuses a file from another manifest, a seed whose
 * cells used different teachers, and a sweep with cells missing (naming them).
 */
export function mergeCells(manifest: SweepManifest, resultDirs: string[]): ExperimentResult[] {
  const found = new Map<number, CellResult>();
  for (const dir of resultDirs) {
    if (!existsSync(dir)) continue; // no shard has finished a cell yet: every cell is named as missing below
    for (const name of readdirSync(dir).filter((f) => /^\d+\.json$/.test(f))) {
      const cell = JSON.parse(readFileSync(join(dir, name), 'utf8')) as CellResult;
      if (cell.manifest !== manifest.hash)
        throw new Error(
          `${join(dir, name)} belongs to sweep ${cell.manifest}, not to this manifest (${manifest.hash}): results of another sweep are not merged.`,
        );
      const planned = manifest.cells[cell.index];
      if (!planned || planned.label !== cell.label || planned.seed !== cell.seed)
        throw new Error(`${join(dir, name)} is not cell ${cell.index} of this manifest.`);
      found.set(cell.index, cell);
    }
  }
  const missing = manifest.cells.filter((c) => !found.has(c.index));
  if (missing.length)
    throw new Error(
      `${missing.length} of ${manifest.cells.length} cells have no result yet: ${missing.slice(0, 12).map(cellName).join('; ')}${missing.length > 12 ? `; and ${missing.length - 12} more` : ''}. Run (or re-run) their shards, then merge again.`,
    );
  const data = sweepData(manifest);
  return manifest.seeds.map((seed) => {
    const cells = manifest.cells.filter((c) => c.seed === seed).map((c) => found.get(c.index)!);
    const teacher = cells[0].teacher;
    const sameTeacher = (t: ModelResult) =>
      JSON.stringify(t.testPredictions) === JSON.stringify(teacher.testPredictions);
    const other = cells.find((c) => !sameTeacher(c.teacher));
    if (other)
      throw new Error(`Seed ${seed}: ${other.label} was distilled from another teacher than ${cells[0].label}.`);
    const config = { ...manifest.config, seed };
    const evaluation = new Evaluation(data, config.batchSize, seed);
    const students = cells.flatMap((c) => (c.result ? [c.result] : []));
    const failures: RunFailure[] = cells.flatMap((c) => (c.failure ? [c.failure] : []));
    const ordered = withPairedIntervals(evaluation, teacher, planRuns(config), students);
    const first = cells.reduce((a, c) => (c.startedAt < a ? c.startedAt : a), cells[0].startedAt);
    return {
      config,
      backend: cells[0].backend,
      dataset: {
        key: data.key,
        name: data.name,
        count: data.count,
        ...cells[0].dataset,
        classNames: data.classNames,
        groupNames: data.groupNames,
        fromCache: false,
      },
      teacher,
      students: ordered,
      ...(failures.length ? { failures } : {}),
      recommendations: recommendations(ordered),
      startedAt: first,
      // Compute time over the cells (the shards ran side by side, so this is not the wall time).
      seconds: cells.reduce((a, c) => a + c.seconds, 0),
    } satisfies ExperimentResult;
  });
}
