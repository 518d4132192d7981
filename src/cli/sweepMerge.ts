import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { recommendations } from '../engine/metrics/recommendation';
import { planRuns } from '../engine/plan';
import { Evaluation } from '../engine/run/evaluation';
import { withPairedIntervals } from '../engine/run/experiment';
import type { Dataset, ExperimentResult, ModelResult, RunFailure } from '../engine/types';
import { cellName, sweepData, type SweepManifest } from './sweepManifest';
import type { CellResult } from './shardRun';

/**
 * The sweep's results put back together from its cells' files: per seed, the teacher, the students in
 * plan order with the paired intervals and the recommendation computed over all of them — exactly what
 * one process running the whole sweep reports. Refuses a file from another manifest, a seed whose
 * cells used different teachers, and a sweep with cells missing (naming them).
 */
export function mergeCells(
  manifest: SweepManifest,
  resultDirs: string[],
  data: Dataset = sweepData(manifest),
): { runs: ExperimentResult[]; provenance: SweepProvenance } {
  const found = readCells(manifest, resultDirs);
  const missing = manifest.cells.filter((c) => !found.has(c.index));
  if (missing.length)
    throw new Error(
      `${missing.length} of ${manifest.cells.length} cells have no result yet: ${missing.slice(0, 12).map(cellName).join('; ')}${missing.length > 12 ? `; and ${missing.length - 12} more` : ''}. Run (or re-run) their shards, then merge again.`,
    );
  return { runs: mergedRuns(manifest, found, data), provenance: sweepProvenance(found) };
}

/** Each finished cell's file, by cell index; refuses a file from another manifest or another cell. */
function readCells(manifest: SweepManifest, resultDirs: string[]): Map<number, CellResult> {
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
  return found;
}

/**
 * Where each cell's figures come from: the kernel path and commit it ran with and its own time. A sweep
 * whose cells ran on different kernel paths (which can move a test prediction or two) or from different
 * commits says so here, and the merge prints it.
 */
export interface SweepProvenance {
  kernels: string[];
  commits: string[];
  mixed: string[];
  cells: { index: number; seed: number; label: string; kernels: string; commit: string; seconds: number }[];
}

function sweepProvenance(found: Map<number, CellResult>): SweepProvenance {
  const cells = [...found.values()]
    .sort((a, b) => a.index - b.index)
    .map((c) => ({
      index: c.index,
      seed: c.seed,
      label: c.label,
      kernels: c.backend.kernels ?? c.backend.name,
      commit: c.commit ?? 'not recorded',
      seconds: c.seconds,
    }));
  const distinct = (key: 'kernels' | 'commit') => [...new Set(cells.map((c) => c[key]))];
  const counted = (key: 'kernels' | 'commit') =>
    distinct(key)
      .map((v) => `${v} (${cells.filter((c) => c[key] === v).length} cells)`)
      .join(', ');
  const kernels = distinct('kernels');
  const commits = distinct('commit');
  const mixed = [
    ...(kernels.length > 1 ? [`the cells ran on different kernel paths: ${counted('kernels')}`] : []),
    ...(commits.length > 1 ? [`the cells ran from different commits: ${counted('commit')}`] : []),
  ];
  return { kernels, commits, mixed, cells };
}

function mergedRuns(manifest: SweepManifest, found: Map<number, CellResult>, data: Dataset): ExperimentResult[] {
  return manifest.seeds.map((seed) => {
    const cells = manifest.cells.filter((c) => c.seed === seed).map((c) => found.get(c.index)!);
    const teacher = cells[0].teacher;
    const sameTeacher = (t: ModelResult) =>
      JSON.stringify(t.testPredictions) === JSON.stringify(teacher.testPredictions);
    const other = cells.find((c) => !sameTeacher(c.teacher));
    if (other)
      throw new Error(`Seed ${seed}: ${other.label} was distilled from another teacher than ${cells[0].label}.`);
    // Photos: the dataset the preparation made (as an unsharded run's config names it).
    const config = { ...manifest.config, seed, ...(manifest.data ? { dataset: data.config } : {}) };
    const evaluation = new Evaluation(data, config.batchSize, seed, config.inputSize);
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
