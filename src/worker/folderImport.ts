import { folderDataset } from '../engine/data/folderDataset';
import type { WiderOptions } from '../engine/data/wider';
import { SPLIT, type ImportedDatasetConfig } from '../engine/types';
import { openLabDb } from '../storage/db';
import { putDataset } from '../storage/datasets';
import { toStored } from './datasetLoader';
import { decodeToSquare } from './imageDecode';

/**
 * A folder the user picked (a labels CSV and its images, or a WIDER Attribute copy) into a
 * cached dataset: parsed, every image decoded, center-cropped (or cut to its person box) and
 * resized in this worker, then stored in IndexedDB in one transaction — so a failure, a full
 * disk or a closed tab never leaves a half-written dataset that looks complete.
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

export async function importFolder(req: ImportRequest, progress: (p: ImportProgress) => void): Promise<ImportSummary> {
  const t0 = performance.now();
  const byPath = new Map(req.files.map((f) => [relativePath(f), f]));
  const folder =
    ((req.files[0] as File & { webkitRelativePath?: string })?.webkitRelativePath ?? '').split('/')[0] || 'folder';
  const { dataset, skipped } = await folderDataset(
    req,
    {
      folder,
      paths: [...byPath.keys()],
      bytes: (p) => byPath.get(p)!.size,
      text: (p) => byPath.get(p)!.text(),
    },
    (path, size, bbox) => decodeToSquare(byPath.get(path)!, size, path, bbox),
    progress,
  );
  const { config, classNames, groupNames, split } = dataset;
  const stored = toStored(dataset);
  try {
    await putDataset(await openLabDb(), stored);
  } catch (e) {
    const err = e as Error;
    throw new Error(
      err.name === 'QuotaExceededError'
        ? `The browser’s storage quota is full: the dataset (${(stored.bytes / 1e6).toFixed(1)} MB) was not stored, and nothing of it was kept. Delete cached datasets or runs, or choose a smaller image size.`
        : `The dataset could not be stored (${err.message}); nothing of it was kept.`,
      { cause: e },
    );
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
