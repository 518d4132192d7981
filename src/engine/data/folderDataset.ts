import { datasetKey } from './key';
import { planFolder, type FolderFiles, type FolderItem, type FolderPlan } from './folderPlan';
import { memorySink, prepareChunks, type ChunkRecord, type DecodeSquare, type PrepareProgress } from './folderPrepare';
import type { PixelChunks } from './pixelChunks';
import { SPLIT_FRACTIONS, stratifiedSplit } from './split';
import type { WiderOptions } from './wider';
import { SPLIT, type Dataset, type ImportedDatasetConfig, type InMemoryDataset } from '../types';

/**
 * A folder of images with its labels (a labels CSV, or a WIDER Attribute copy) into a dataset: planned
 * (folderPlan), every image decoded, center-cropped (or cut to its person box) and resized chunk by chunk
 * by the `decode` it is given (folderPrepare), then finished here: classes nobody could read dropped and
 * said so, split as the lab splits (WIDER's official test split kept; validation carved from trainval
 * only). The same steps in the page's worker (the browser decodes) and in the headless runner (Node
 * decodes, chunks cached on disk): only the files' listing, the decoder and the chunks' store differ.
 */

export type { FolderFiles } from './folderPlan';
export type { DecodeSquare } from './folderPrepare';

export interface FolderRequest {
  size: number;
  source: 'csv' | 'wider';
  wider?: WiderOptions;
  seed: number;
}

export type FolderProgress = PrepareProgress;

export interface FolderDataset<D extends Dataset = Dataset> {
  dataset: D & { config: ImportedDatasetConfig };
  skipped: { path: string; reason: string }[];
}

/** Version of the prepared data's key: 2 since images are written in the seeded preparation order. */
const KEY_VERSION = 2;

/** The dataset a finished preparation makes, its pixels in memory or in chunks. */
export function finishFolder<P extends Uint8Array | PixelChunks>(
  plan: FolderPlan,
  size: number,
  seed: number,
  records: ChunkRecord[],
  images: P,
  bytesOf: (path: string) => number,
): FolderDataset<Dataset & { images: P }> {
  const skipped = [...plan.skipped, ...records.flatMap((r) => r.skipped)];
  const kept: FolderItem[] = records.flatMap((r) => r.items.map((i) => ({ ...plan.items[i] })));
  let classNames = plan.classNames;
  // A class whose listed images could none be read is dropped, and said so, not trained as an empty
  // class. (A class nothing was listed for — a WIDER cluster absent from the copy — keeps its place.)
  const present = classNames.map(
    (_, c) => kept.some((k) => k.classIndex === c) || !plan.items.some((it) => it.classIndex === c),
  );
  if (present.some((p) => !p)) {
    const remap = classNames.map((_, c) => present.slice(0, c).filter(Boolean).length);
    classNames.forEach((name, c) => {
      if (!present[c]) skipped.push({ path: `class “${name}”`, reason: 'left out: none of its images could be read' });
    });
    classNames = classNames.filter((_, c) => present[c]);
    kept.forEach((k) => (k.classIndex = remap[k.classIndex]));
    if (classNames.length < 2)
      throw new Error(`Only the class “${classNames[0] ?? '—'}” has readable images; a classifier needs at least two.`);
  }
  if (kept.length < 4)
    throw new Error(
      `Only ${kept.length} image${kept.length === 1 ? '' : 's'} could be read; a dataset needs at least a few per class.`,
    );

  const labels = Uint8Array.from(kept, (k) => k.classIndex);
  const groups = Int8Array.from(kept, (k) => k.group);
  let split: Uint8Array;
  if (plan.source === 'wider') {
    // The official split: test is WIDER's test; validation is carved (seeded) from trainval only.
    const trainval = kept.map((k, i) => (k.official === 'trainval' ? i : -1)).filter((i) => i >= 0);
    const inner = stratifiedSplit(
      trainval.map((i) => labels[i]),
      trainval.map((i) => groups[i]),
      { val: SPLIT_FRACTIONS.val, test: 0, seed },
    );
    split = new Uint8Array(kept.length).fill(SPLIT.test);
    trainval.forEach((i, j) => {
      split[i] = inner[j];
    });
  } else {
    split = stratifiedSplit(labels, groups, { ...SPLIT_FRACTIONS, seed });
  }
  const key = datasetKey(
    { kind: 'imported', name: plan.name, size, files: kept.map((k) => [k.path, bytesOf(k.path), k.bbox ?? null]) },
    KEY_VERSION,
  );
  const config: ImportedDatasetConfig = {
    kind: 'imported',
    key: key.length > 200 ? `imported:${hash(key)}` : key,
    name: plan.name,
    size,
    count: kept.length,
    source: plan.source,
  };
  const dataset = {
    key: config.key,
    name: plan.name,
    config,
    size,
    count: kept.length,
    images,
    labels,
    groups,
    split,
    classNames,
    groupNames: plan.groupNames,
  };
  return { dataset, skipped };
}

/** A folder into a dataset held in memory (the page's import stores it in one record). */
export async function folderDataset(
  req: FolderRequest,
  files: FolderFiles,
  decode: DecodeSquare,
  progress: (p: FolderProgress) => void,
  shouldStop?: () => boolean,
): Promise<FolderDataset<InMemoryDataset>> {
  const plan = await planFolder(req, files);
  const sink = memorySink();
  const records = await prepareChunks(plan, req.size, decode, sink, files.bytes, progress, shouldStop);
  const total = sink.chunks.reduce((n, c) => n + c.length, 0);
  const images = new Uint8Array(total);
  let at = 0;
  for (const c of sink.chunks) {
    images.set(c, at);
    at += c.length;
  }
  return finishFolder(plan, req.size, req.seed, records, images, files.bytes);
}

/** FNV-1a, for short cache keys of long file lists. */
export function hash(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0') + s.length.toString(16);
}
