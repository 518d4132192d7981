import type { PretrainedWeights } from '../engine/run/pretrained';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { generateSynthetic } from '../engine/data/synthetic';
import type { BackendReport, Dataset, ExperimentConfig } from '../engine/types';
import { formatRecommendations, formatSummary, summarize } from '../analysis/summary';
import type { RunnerOutput } from './merge';
import { describeBackend, progressLines } from './runnerBackend';
import { mergeCells, type SweepProvenance } from './sweepMerge';
import { ShardRunner } from './shardRun';
import {
  cellName,
  parseShard,
  planSweep,
  readManifest,
  shardCells,
  sweepData,
  writeManifest,
  type SweepData,
  type SweepManifest,
} from './sweepManifest';

/** The sweep's folders: results and teachers beside the manifest unless given elsewhere (--results, --teachers). */
export function sweepFolders(manifestPath: string, results?: string, teachers?: string) {
  const home = dirname(manifestPath);
  return { results: results ?? join(home, 'cells'), teachers: teachers ?? join(home, 'teachers'), home };
}

/** Photos for a sweep: the manifest's `data`, and the key of what their preparation reads. */
export interface PlannedData {
  data: SweepData;
  key: string;
}

/** Where a sweep of photos finds its data on this machine (prepared into the chunk cache, once per machine). */
export type SweepDataLoader = (m: SweepManifest) => Promise<Dataset>;

/** --plan FILE: writes the manifest and says how to run and merge it. */
export function planCommand(
  path: string,
  config: ExperimentConfig,
  seeds: number[],
  shards: number | undefined,
  photos?: PlannedData,
) {
  if (config.dataset.kind !== 'synthetic') throw new Error('A planned sweep runs on the built-in dataset.');
  const manifest = photos
    ? planSweep(config, seeds, photos.key, photos.data)
    : planSweep(config, seeds, generateSynthetic(config.dataset).key);
  if (existsSync(path)) {
    const old = JSON.parse(readFileSync(path, 'utf8')) as { hash?: string };
    if (old.hash !== manifest.hash)
      throw new Error(`${path} already holds another sweep (${old.hash}); plan into a new folder, or move it away.`);
  }
  writeManifest(path, manifest);
  const n = shards ?? Math.min(manifest.cells.length, 4);
  const teachers = new Set(manifest.cells.map((c) => c.seed)).size;
  return [
    `Sweep ${manifest.hash}: ${manifest.cells.length} cells (${teachers} teacher${teachers > 1 ? 's' : ''}, one per seed) written to ${path}.`,
    `Run it as n shards, each one process (here ${n}):`,
    `  npm run lab -- --manifest ${path} --shard i/${n}     (i = 0 … ${n - 1}; --shard auto/${n} under a Kubernetes Indexed Job or a Slurm array)`,
    ...Array.from(
      { length: n },
      (_, i) => `     shard ${i}/${n}: ${shardCells(manifest, i, n).map(cellName).join('; ') || 'no cells'}`,
    ),
    `Then: npm run lab -- --merge ${path} --out all.json`,
  ].join('\n');
}

/** --manifest FILE --shard i/n: runs this shard's cells. */
export async function shardCommand(
  path: string,
  shardText: string,
  folders: { results?: string; teachers?: string },
  backend: BackendReport,
  log: (s: string) => void,
  given?: ExperimentConfig['pretrained'],
  weights?: PretrainedWeights,
  loadData?: SweepDataLoader,
) {
  const manifest = readManifest(path);
  // The weight files the sweep was planned with, and only those: the same name is not enough, the bytes must match.
  for (const role of ['teacher', 'student'] as const) {
    const planned = manifest.config.pretrained?.[role];
    const file = given?.[role];
    if (planned && !file)
      throw new Error(`The sweep's ${role} starts from ${planned.name}: give it with --${role}-weights PATH.`);
    if (!planned && file)
      throw new Error(`The sweep was planned without a ${role} weight file; --${role}-weights is not taken.`);
    if (planned && file && planned.sha256 !== file.sha256)
      throw new Error(
        `--${role}-weights ${file.name} is not the file the sweep was planned with (${planned.name}, SHA-256 ${planned.sha256.slice(0, 12)}…; this one ${file.sha256.slice(0, 12)}…).`,
      );
  }
  const shard = parseShard(shardText, process.env);
  const { results, teachers } = sweepFolders(path, folders.results, folders.teachers);
  const data = await dataOf(manifest, loadData);
  const cells = shardCells(manifest, shard.index, shard.count);
  log(
    `sweep ${manifest.hash}, shard ${shard.index}/${shard.count}: ${cells.length} cells · backend: ${describeBackend(backend)}\n`,
  );
  const checkpoint = join(results, `shard-${shard.index}-of-${shard.count}.ckpt`);
  const runner = new ShardRunner(manifest, shard, { results, teachers, checkpoint }, data, backend, log, weights);
  const { ran, skipped } = await runner.run(progressLines(`shard ${shard.index}/${shard.count}`, log));
  return `shard ${shard.index}/${shard.count} of sweep ${manifest.hash}: ${ran} cells run${skipped ? `, ${skipped} already done` : ''}; results in ${results}`;
}

function dataOf(manifest: SweepManifest, loadData?: SweepDataLoader): Promise<Dataset> {
  if (!manifest.data) return Promise.resolve(sweepData(manifest));
  if (!loadData) throw new Error('The sweep reads a folder of photos; this command cannot prepare them.');
  return loadData(manifest);
}

/** --merge MANIFEST: one table over every cell, the same as an unsharded run's. */
export async function mergeSweepCommand(
  path: string,
  resultDirs: string[] | undefined,
  outPath?: string,
  loadData?: SweepDataLoader,
): Promise<string> {
  const manifest = readManifest(path);
  const dirs = resultDirs ?? [sweepFolders(path).results];
  const { runs, provenance } = mergeCells(manifest, dirs, await dataOf(manifest, loadData));
  const summary = summarize(runs);
  if (outPath) {
    const out: RunnerOutput & { manifest: string; provenance: SweepProvenance } = {
      tool: 'FairDistill Lab headless runner (merged sweep)',
      manifest: manifest.hash,
      provenance,
      preset: manifest.config.name,
      backend: runs[0].backend,
      seeds: manifest.seeds,
      config: manifest.config,
      summary,
      runs,
    };
    writeFileSync(outPath, JSON.stringify(out, null, 2));
  }
  const recommended = formatRecommendations(runs);
  const where = provenance.mixed.length
    ? provenance.mixed.map((m) => `warning: ${m}.`).join('\n')
    : `Every cell ran on ${provenance.kernels[0]} from commit ${provenance.commits[0]}.`;
  return `${formatSummary(summary)}${recommended ? `\n\n${recommended}` : ''}\n\n${where}`;
}

/** Whether a --merge argument names a sweep manifest (else it is a list of runner outputs). */
export function isManifest(path: string): boolean {
  if (path.includes(',') || !existsSync(path)) return false;
  try {
    return (JSON.parse(readFileSync(path, 'utf8')) as { tool?: string }).tool === 'FairDistill Lab sweep manifest';
  } catch {
    return false;
  }
}
