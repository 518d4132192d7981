import { datasetKey } from '../engine/data/key';
import { parseLabelsCsv } from '../engine/data/labelsCsv';
import { SPLIT_FRACTIONS, stratifiedSplit } from '../engine/data/split';
import { parseWider, type WiderOptions } from '../engine/data/wider';
import { SPLIT, type Dataset, type ImportedDatasetConfig } from '../engine/types';
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

const IMAGE = /\.(jpe?g|png|webp)$/i;

interface Item {
  path: string;
  classIndex: number;
  group: number;
  bbox?: [number, number, number, number];
  official?: 'trainval' | 'test';
}

export async function importFolder(req: ImportRequest, progress: (p: ImportProgress) => void): Promise<ImportSummary> {
  const t0 = performance.now();
  const byPath = new Map(req.files.map((f) => [relativePath(f), f]));
  const has = (p: string) => byPath.has(p) && IMAGE.test(p);
  let items: Item[];
  let classNames: string[];
  let groupNames: [string, string];
  const skipped: { path: string; reason: string }[] = [];
  let name: string;
  const folder =
    ((req.files[0] as File & { webkitRelativePath?: string })?.webkitRelativePath ?? '').split('/')[0] || 'folder';
  if (req.source === 'csv') {
    const csvs = [...byPath.keys()].filter((p) => /\.csv$/i.test(p));
    const csvPath = csvs.find((p) => /(^|\/)labels\.csv$/i.test(p)) ?? (csvs.length === 1 ? csvs[0] : undefined);
    if (!csvPath)
      throw new Error(
        csvs.length
          ? `The folder has several CSV files (${csvs.join(', ')}); name the labels file labels.csv.`
          : 'The folder has no labels CSV (columns file, class, group).',
      );
    const dir = csvPath.includes('/') ? csvPath.slice(0, csvPath.lastIndexOf('/') + 1) : '';
    const exists = (p: string) => byPath.has(p);
    const table = parseLabelsCsv(await byPath.get(csvPath)!.text(), (p) => exists(dir + p) || exists(p));
    items = table.rows.map((r) => ({
      path: exists(dir + r.file) ? dir + r.file : r.file,
      classIndex: table.classNames.indexOf(r.className),
      group: r.group,
    }));
    classNames = table.classNames;
    groupNames = table.groupNames;
    name = `${folder} (${csvPath})`;
  } else {
    const opts = req.wider ?? { mode: 'image', classes: 'clusters' };
    items = [];
    classNames = [];
    groupNames = ['male', 'female'];
    for (const official of ['trainval', 'test'] as const) {
      const jsonPath = [...byPath.keys()].find((p) => p.endsWith(`wider_attribute_${official}.json`));
      if (!jsonPath)
        throw new Error(
          `The folder has no wider_attribute_${official}.json: pick the top folder of your WIDER Attribute copy.`,
        );
      let json: unknown;
      try {
        json = JSON.parse(await byPath.get(jsonPath)!.text());
      } catch (e) {
        throw new Error(`${jsonPath} is not valid JSON (${(e as Error).message}).`, { cause: e });
      }
      const root = jsonPath.slice(0, jsonPath.length - `wider_attribute_${official}.json`.length);
      const parsed = parseWider(json, official, opts, (p) => has(root + p));
      classNames = parsed.classNames;
      items.push(...parsed.examples.map((e) => ({ ...e, path: root + e.path })));
      skipped.push(...parsed.skipped);
    }
    name = `WIDER Attribute (${opts.mode === 'image' ? 'whole images' : 'person crops'}, ${opts.classes === 'clusters' ? '16 clusters' : '30 scenes'})`;
  }

  const px = req.size * req.size * 3;
  const images = new Uint8Array(items.length * px);
  const kept: Item[] = [];
  let bytesRead = 0;
  for (let i = 0; i < items.length; i++) {
    const it = items[i];
    const file = byPath.get(it.path)!;
    try {
      if (!IMAGE.test(it.path))
        throw new Error(`a ${it.path.split('.').pop()!.toUpperCase()} file; the lab reads JPEG, PNG and WebP images`);
      const pixels = await decodeToSquare(file, req.size, it.path, it.bbox);
      images.set(pixels, kept.length * px);
      kept.push(it);
    } catch (e) {
      skipped.push({ path: it.path, reason: `unreadable (${(e as Error).message})` });
    }
    bytesRead += file.size;
    if (i % 16 === 15 || i === items.length - 1) {
      const elapsed = (performance.now() - t0) / 1000;
      progress({
        done: i + 1,
        total: items.length,
        bytes: bytesRead,
        etaSeconds: i > 0 ? (elapsed / (i + 1)) * (items.length - i - 1) : null,
      });
    }
  }
  // A class whose listed images could none be read is dropped, and said so, not trained as an empty
  // class. (A class nothing was listed for — a WIDER cluster absent from the copy — keeps its place.)
  const present = classNames.map(
    (_, c) => kept.some((k) => k.classIndex === c) || !items.some((it) => it.classIndex === c),
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
  if (req.source === 'wider') {
    // The official split: test is WIDER's test; validation is carved (seeded) from trainval only.
    const trainval = kept.map((k, i) => (k.official === 'trainval' ? i : -1)).filter((i) => i >= 0);
    const inner = stratifiedSplit(
      trainval.map((i) => labels[i]),
      trainval.map((i) => groups[i]),
      { val: SPLIT_FRACTIONS.val, test: 0, seed: req.seed },
    );
    split = new Uint8Array(kept.length).fill(SPLIT.test);
    trainval.forEach((i, j) => {
      split[i] = inner[j];
    });
  } else {
    split = stratifiedSplit(labels, groups, { ...SPLIT_FRACTIONS, seed: req.seed });
  }
  const key = datasetKey(
    {
      kind: 'imported',
      name,
      size: req.size,
      files: kept.map((k) => [k.path, byPath.get(k.path)!.size, k.bbox ?? null]),
    },
    1,
  );
  const config: ImportedDatasetConfig = {
    kind: 'imported',
    key: key.length > 200 ? `imported:${hash(key)}` : key,
    name,
    size: req.size,
    count: kept.length,
    source: req.source,
  };
  const dataset: Dataset = {
    key: config.key,
    name,
    config,
    size: req.size,
    count: kept.length,
    images: images.subarray(0, kept.length * px),
    labels,
    groups,
    split,
    classNames,
    groupNames,
  };
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
  kept.forEach((k) => {
    counts[k.classIndex][k.group === 0 ? 0 : k.group === 1 ? 1 : 2]++;
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

/** FNV-1a, for short cache keys of long file lists. */
function hash(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0') + s.length.toString(16);
}
