import { performance } from 'node:perf_hooks';
import { BatchReader, batchRanges, disposeBatch } from '../engine/data/batches';
import { epochOrder } from '../engine/data/epochOrder';
import { indicesOf } from '../engine/data/split';
import { createRng } from '../engine/random';
import { SPLIT, type Dataset, type ExperimentConfig, type ImportedDatasetConfig } from '../engine/types';
import { cacheBytes } from './dataCache';
import { parseDataSpec, planDataFolder, readFolderData, type PreparedFolder } from './folderData';
import type { PlannedData, SweepDataLoader } from './sweepCommands';
import type { SweepData } from './sweepManifest';
import { stopRequested } from './stopSignals';

/**
 * The runner's real data (`--data`, `--wider-crop`, `--wider-classes`, `--data-cache`) and `--prepare`:
 * the dataset prepared into the chunk cache and every batch streamed once, no training — what a sweep's
 * machines run first, and what measures the data path alone (time, images per second, memory).
 */

export const DATA_FLAGS = ['--data', '--wider-crop', '--wider-classes', '--data-cache'] as const;

/** Where prepared chunks go unless --data-cache says: beside the command, so every shard started there shares them. */
export const DEFAULT_DATA_CACHE = '.data-cache';

/** --data and WIDER's options as a sweep manifest holds them. */
function dataOf(args: Map<string, string>): SweepData {
  const spec = parseDataSpec(args.get('--data')!);
  const crop = args.get('--wider-crop') ?? 'image';
  const classes = args.get('--wider-classes') ?? 'clusters';
  if ((crop !== 'image' && crop !== 'person') || (classes !== 'clusters' && classes !== 'scenes'))
    throw new Error('--wider-crop takes image or person; --wider-classes takes clusters or scenes.');
  if (spec.source === 'csv' && (args.has('--wider-crop') || args.has('--wider-classes')))
    throw new Error('--wider-crop and --wider-classes are for --data wider:DIR.');
  return { ...spec, ...(spec.source === 'wider' ? { wider: { mode: crop, classes } } : {}) };
}

/** The built-in data's settings that a folder's preparation takes: the image size and the split's seed. */
function sizeAndSeed(config: ExperimentConfig): { size: number; seed: number } {
  const settings = config.dataset;
  if (settings.kind !== 'synthetic') throw new Error('--data: the run already names an imported dataset.');
  return { size: settings.size, seed: settings.seed };
}

export function loadRunnerData(
  args: Map<string, string>,
  config: ExperimentConfig,
  log: (s: string) => void,
): Promise<PreparedFolder> {
  return prepareData(dataOf(args), sizeAndSeed(config), args, log);
}

async function prepareData(
  data: SweepData,
  at: { size: number; seed: number },
  args: Map<string, string>,
  log: (s: string) => void,
  expectKey?: string,
): Promise<PreparedFolder> {
  const cache = args.get('--data-cache') ?? DEFAULT_DATA_CACHE;
  // Real photos: the same preparation as the page's import, at --image-size (the built-in data's size option).
  const prepared = await readFolderData(
    { source: data.source, dir: data.dir },
    { ...at, wider: data.wider, cache, shouldStop: () => stopRequested() !== null, expectKey },
    log,
  );
  if (prepared.cache)
    log(
      `prepared data: ${prepared.cache.dir} (${prepared.cache.chunks} chunks, ${(cacheBytes(prepared.cache.dir) / 1e6).toFixed(1)} MB${prepared.cache.finishedBefore ? `, ${prepared.cache.finishedBefore} prepared before` : ''})\n`,
    );
  if (prepared.skipped.length)
    log(
      `skipped ${prepared.skipped.length}: ${prepared.skipped
        .slice(0, 5)
        .map((s) => `${s.path} (${s.reason})`)
        .join('; ')}${prepared.skipped.length > 5 ? '; …' : ''}\n`,
    );
  return prepared;
}

/** --plan with --data: what the manifest records of the photos (their folder, options and prepared key). */
export async function plannedData(args: Map<string, string>, config: ExperimentConfig): Promise<PlannedData> {
  const data = dataOf(args);
  const { key } = await planDataFolder(
    { source: data.source, dir: data.dir },
    { size: sizeAndSeed(config).size, wider: data.wider },
  );
  return { data, key };
}

/**
 * A shard's or a merge's photos: the manifest's folder, or this machine's copy given with --data (the
 * same kind; its files must make the planned key), prepared into --data-cache once per machine.
 */
export function sweepDataLoader(args: Map<string, string>, log: (s: string) => void): SweepDataLoader {
  return async (m) => {
    const planned = m.data!;
    let data = planned;
    if (args.has('--data')) {
      const here = parseDataSpec(args.get('--data')!);
      if (here.source !== planned.source)
        throw new Error(
          `--data: the sweep was planned on a ${planned.source === 'wider' ? 'WIDER copy (wider:DIR)' : 'labels-CSV folder (folder:DIR)'}.`,
        );
      data = { ...planned, dir: here.dir };
    }
    const settings = m.config.dataset as { size: number; seed: number };
    return (await prepareData(data, { size: settings.size, seed: settings.seed }, args, log, m.datasetKey)).dataset;
  };
}

export interface PrepareReport {
  tool: string;
  dataset: ImportedDatasetConfig;
  cache: string | null;
  images: number;
  split: { train: number; val: number; test: number };
  skipped: number;
  prepareSeconds: number;
  /** Chunks an earlier preparation had finished (0 on a first run). */
  chunksFromBefore: number;
  chunks: number;
  cacheBytes: number;
  /** One pass over every batch of every split, as training and evaluation read them. */
  stream: { batches: number; seconds: number; imagesPerSecond: number; chunkLoads: number; peakResidentChunks: number };
  peakRssMB: number;
}

/** `--prepare`: the chunk cache built (or found) and every batch of every split read once. */
export async function prepareCommand(
  args: Map<string, string>,
  config: ExperimentConfig,
  log: (s: string) => void,
): Promise<PrepareReport> {
  const t0 = performance.now();
  const prepared = await loadRunnerData(args, config, log);
  const prepareSeconds = (performance.now() - t0) / 1000;
  const data: Dataset = prepared.dataset;
  const classes = data.classNames.length;
  const reader = new BatchReader(data);
  const t1 = performance.now();
  let batches = 0;
  let images = 0;
  const splits = [SPLIT.train, SPLIT.val, SPLIT.test].map((code) => indicesOf(data.split, code));
  // Training's order (epoch 1 of seed 0's), then evaluation's (index order), as a run reads them.
  const orders = [epochOrder(splits[0], createRng(0), reader.starts), splits[1], splits[2]];
  for (const order of orders) {
    const ranges = batchRanges(order.length, config.batchSize);
    for (let s = 0; s < ranges.length; s++) {
      if (stopRequested() !== null)
        throw new Error('Stopped: the prepared chunks are kept; the same command goes on from them.');
      const [a, b] = ranges[s];
      const batch = await reader.batch(order, a, b, classes);
      reader.prefetch(order, b, ranges[s + 1]?.[1] ?? b);
      disposeBatch(batch);
      batches++;
      images += b - a;
    }
  }
  const seconds = (performance.now() - t1) / 1000;
  return {
    tool: 'FairDistill Lab headless runner --prepare',
    dataset: prepared.dataset.config,
    cache: prepared.cache?.dir ?? null,
    images: data.count,
    split: { train: splits[0].length, val: splits[1].length, test: splits[2].length },
    skipped: prepared.skipped.length,
    prepareSeconds,
    chunksFromBefore: prepared.cache?.finishedBefore ?? 0,
    chunks: prepared.cache?.chunks ?? 1,
    cacheBytes: prepared.cache ? cacheBytes(prepared.cache.dir) : 0,
    stream: {
      batches,
      seconds,
      imagesPerSecond: images / seconds,
      chunkLoads: reader.chunks?.loads ?? 0,
      peakResidentChunks: reader.chunks?.peakResident ?? 0,
    },
    peakRssMB: process.resourceUsage().maxRSS / 1024,
  };
}

export function formatPrepareReport(r: PrepareReport): string {
  const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;
  return [
    `${r.dataset.name}: ${r.images} images at ${r.dataset.size} px (${r.split.train} train · ${r.split.val} val · ${r.split.test} test), ${r.skipped} skipped`,
    `prepared in ${r.prepareSeconds.toFixed(1)} s${r.chunksFromBefore ? ` (${r.chunksFromBefore} of ${r.chunks} chunks prepared before)` : ''}${r.cache ? `: ${r.chunks} chunks, ${mb(r.cacheBytes)} in ${r.cache}` : ''}`,
    `every batch read once: ${r.stream.batches} batches in ${r.stream.seconds.toFixed(1)} s, ${Math.round(r.stream.imagesPerSecond)} images/s, ${r.stream.chunkLoads} chunk reads, at most ${r.stream.peakResidentChunks} chunks resident`,
    `peak memory of the process: ${Math.round(r.peakRssMB)} MB (maximum resident set)`,
  ].join('\n');
}
