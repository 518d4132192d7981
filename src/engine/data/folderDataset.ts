import { datasetKey } from './key';
import { parseLabelsCsv } from './labelsCsv';
import { SPLIT_FRACTIONS, stratifiedSplit } from './split';
import { parseWider, type WiderOptions } from './wider';
import { SPLIT, type Dataset, type ImportedDatasetConfig } from '../types';

/**
 * A folder of images with its labels (a labels CSV, or a WIDER Attribute copy) into a dataset: parsed,
 * every image decoded, center-cropped (or cut to its person box) and resized by the `decode` it is given,
 * classes nobody could read dropped and said so, split as the lab splits (WIDER's official test split
 * kept; validation carved from trainval only). The same steps in the page's worker (the browser decodes)
 * and in the headless runner (Node decodes): only the files' listing and the decoder differ.
 */

export interface FolderFiles {
  /** The folder's own name. */
  folder: string;
  /** Paths inside the folder, '/'-separated. */
  paths: string[];
  bytes(path: string): number;
  text(path: string): Promise<string>;
}

export type DecodeSquare = (path: string, size: number, bbox?: [number, number, number, number]) => Promise<Uint8Array>;

export interface FolderRequest {
  size: number;
  source: 'csv' | 'wider';
  wider?: WiderOptions;
  seed: number;
}

export interface FolderProgress {
  done: number;
  total: number;
  bytes: number;
  etaSeconds: number | null;
}

const IMAGE = /\.(jpe?g|png|webp)$/i;

interface Item {
  path: string;
  classIndex: number;
  group: number;
  bbox?: [number, number, number, number];
  official?: 'trainval' | 'test';
}

export interface FolderDataset {
  dataset: Dataset & { config: ImportedDatasetConfig };
  skipped: { path: string; reason: string }[];
}

export async function folderDataset(
  req: FolderRequest,
  files: FolderFiles,
  decode: DecodeSquare,
  progress: (p: FolderProgress) => void,
): Promise<FolderDataset> {
  const t0 = performance.now();
  const known = new Set(files.paths);
  const has = (p: string) => known.has(p) && IMAGE.test(p);
  let items: Item[];
  let classNames: string[];
  let groupNames: [string, string];
  const skipped: { path: string; reason: string }[] = [];
  let name: string;
  const folder = files.folder || 'folder';
  if (req.source === 'csv') {
    const csvs = files.paths.filter((p) => /\.csv$/i.test(p));
    const csvPath = csvs.find((p) => /(^|\/)labels\.csv$/i.test(p)) ?? (csvs.length === 1 ? csvs[0] : undefined);
    if (!csvPath)
      throw new Error(
        csvs.length
          ? `The folder has several CSV files (${csvs.join(', ')}); name the labels file labels.csv.`
          : 'The folder has no labels CSV (columns file, class, group).',
      );
    const dir = csvPath.includes('/') ? csvPath.slice(0, csvPath.lastIndexOf('/') + 1) : '';
    const exists = (p: string) => known.has(p);
    const table = parseLabelsCsv(await files.text(csvPath), (p) => exists(dir + p) || exists(p));
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
      const jsonPath = files.paths.find((p) => p.endsWith(`wider_attribute_${official}.json`));
      if (!jsonPath)
        throw new Error(
          `The folder has no wider_attribute_${official}.json: pick the top folder of your WIDER Attribute copy.`,
        );
      let json: unknown;
      try {
        json = JSON.parse(await files.text(jsonPath));
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
    try {
      if (!IMAGE.test(it.path))
        throw new Error(`a ${it.path.split('.').pop()!.toUpperCase()} file; the lab reads JPEG, PNG and WebP images`);
      const pixels = await decode(it.path, req.size, it.bbox);
      images.set(pixels, kept.length * px);
      kept.push(it);
    } catch (e) {
      skipped.push({ path: it.path, reason: `unreadable (${(e as Error).message})` });
    }
    bytesRead += files.bytes(it.path);
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
      files: kept.map((k) => [k.path, files.bytes(k.path), k.bbox ?? null]),
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
  return { dataset: dataset as FolderDataset['dataset'], skipped };
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
