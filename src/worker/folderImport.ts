import { finishFolder } from '../engine/data/folderDataset';
import { planFolder, preparedIdentity } from '../engine/data/folderPlan';
import { prepareChunks } from '../engine/data/folderPrepare';
import { imagesPerChunk } from '../engine/data/pixelChunks';
import type { WiderOptions } from '../engine/data/wider';
import { CancelledError } from '../engine/run/errors';
import { SPLIT, type ImportedDatasetConfig } from '../engine/types';
import { openLabDb } from '../storage/db';
import { deleteChunks, finishChunkedDataset } from '../storage/datasets';
import { idbSink } from './datasetChunks';
import { toStored } from './storedRecord';
import { decodeToSquare } from './imageDecode';

/**
 * A folder the user picked (a labels CSV and its images, or a WIDER Attribute copy) into a cached
 * dataset: planned, every image decoded, center-cropped (or cut to its person box) and resized in this
 * worker, chunk by chunk, each chunk stored in IndexedDB as it is made (memory holds one chunk, whatever
 * the folder's size), the dataset's record written last — so a failure, a full disk or a closed tab never
 * leaves a dataset that looks complete. A cancelled or failed import removes its chunks; one cut short by
 * a closed tab leaves them for the next import of the same folder to go on from.
 */

export interface ImportRequest {
  files: File[];
  size: number;
  source: 'csv' | 'wider';
  wider?: WiderOptions;
  seed: number;
}

export interface ImportSummary {
  config: ImportedDatasetConfig;
  classNames: string[];
  groupNames: [string, string];
  /** [class][group 0, group 1, unknown] */
  counts: number[][];
  split: { train: number; val: number; test: number };
  skipped: { path: string; reason: string }[];
  skippedTotal: number;
  bytes: number;
  seconds: number;
}

export interface ImportProgress {
  done: number;
  total: number;
  bytes: number;
  etaSeconds: number | null;
}

/** Path of a picked file inside the chosen folder (the folder's own name removed). */
export function relativePath(f: File): string {
  const rel = (f as File & { webkitRelativePath?: string }).webkitRelativePath || f.name;
  const parts = rel.split('/');
  return parts.length > 1 ? parts.slice(1).join('/') : rel;
}

/** The preparation's key, under which an import's chunks are stored: SHA-256 of what they are made from. */
async function chunkKeyOf(identity: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(identity));
  const hex = Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
  return `prepared:${hex.slice(0, 32)}`;
}

export async function importFolder(
  req: ImportRequest,
  progress: (p: ImportProgress) => void,
  shouldStop: () => boolean = () => false,
): Promise<ImportSummary> {
  const t0 = performance.now();
  const byPath = new Map(req.files.map((f) => [relativePath(f), f]));
  const folder =
    ((req.files[0] as File & { webkitRelativePath?: string })?.webkitRelativePath ?? '').split('/')[0] || 'folder';
  const files = {
    folder,
    paths: [...byPath.keys()],
    bytes: (p: string) => byPath.get(p)!.size,
    text: (p: string) => byPath.get(p)!.text(),
  };
  const plan = await planFolder(req, files);
  const perChunk = imagesPerChunk(req.size);
  const chunkKey = await chunkKeyOf(preparedIdentity(plan, req.size, files.bytes, perChunk));
  const db = await openLabDb();
  const px = req.size * req.size * 3;
  let records;
  try {
    // Each chunk is stored as soon as it is prepared; an import of the same folder after a closed tab
    // finds the chunks stored before and prepares only the rest.
    records = await prepareChunks(
      plan,
      req.size,
      (path, size, bbox) => decodeToSquare(byPath.get(path)!, size, path, bbox),
      idbSink(db, chunkKey, px),
      files.bytes,
      progress,
      shouldStop,
      perChunk,
    );
  } catch (e) {
    // Cancelled, or failed (quota, an error): what this import stored goes, so nothing half-made stays.
    await deleteChunks(db, chunkKey).catch(() => undefined);
    throw storageError(e, plan.items.length * px);
  }
  let finished;
  try {
    finished = finishFolder(plan, req.size, req.seed, records, new Uint8Array(0), files.bytes);
  } catch (e) {
    await deleteChunks(db, chunkKey).catch(() => undefined); // too few readable images: nothing kept
    throw e;
  }
  const { dataset, skipped } = finished;
  const { config, classNames, groupNames, split } = dataset;
  const bytes = dataset.count * px;
  const stored = toStored(dataset, { chunkKey, chunkImages: records.map((r) => r.items.length) });
  try {
    await finishChunkedDataset(db, stored);
  } catch (e) {
    await deleteChunks(db, chunkKey).catch(() => undefined);
    throw storageError(e, bytes);
  }
  const counts = classNames.map(() => [0, 0, 0]);
  dataset.labels.forEach((c, i) => {
    const g = dataset.groups[i];
    counts[c][g === 0 ? 0 : g === 1 ? 1 : 2]++;
  });
  const count = (code: number) => split.reduce((n, s) => n + (s === code ? 1 : 0), 0);
  return {
    config,
    classNames,
    groupNames,
    counts,
    split: { train: count(SPLIT.train), val: count(SPLIT.val), test: count(SPLIT.test) },
    skipped: skipped.slice(0, 50),
    skippedTotal: skipped.length,
    bytes: stored.bytes,
    seconds: (performance.now() - t0) / 1000,
  };
}

function storageError(e: unknown, bytes: number): Error {
  const err = e as Error;
  if (err instanceof CancelledError)
    return new Error('The import was cancelled; nothing of it was kept.', { cause: e });
  if (err.name === 'QuotaExceededError')
    return new Error(
      `The browser’s storage quota is full: the dataset (${(bytes / 1e6).toFixed(1)} MB) was not stored, and nothing of it was kept. Delete cached datasets or runs, or choose a smaller image size.`,
      { cause: e },
    );
  // An unreadable folder or labels file says so itself; a storage failure is named as one.
  return err.name === 'Error' || err.name === 'TypeError'
    ? err
    : new Error(`The dataset could not be stored (${err.message}); nothing of it was kept.`, { cause: e });
}
