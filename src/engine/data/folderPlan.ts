import { parseLabelsCsv } from './labelsCsv';
import { parseWider, type WiderOptions } from './wider';
import { createRng, permutation } from '../random';
import { stableStringify } from './key';

/**
 * What a folder of images holds, before any image is decoded: a labels CSV's rows or a WIDER Attribute
 * copy's annotations, as a list of items in the order preparation writes them. The list is shuffled with
 * a fixed seed (not the run's) so that chunks of consecutive items are random samples of every class and
 * group — the chunked epoch order only shuffles within a few chunks — and so that a folder prepares to
 * the same chunks on every machine.
 */

export interface FolderFiles {
  /** The folder's own name. */
  folder: string;
  /** Paths inside the folder, '/'-separated. */
  paths: string[];
  bytes: (path: string) => number;
  text: (path: string) => Promise<string>;
}

export interface FolderSource {
  source: 'csv' | 'wider';
  wider?: WiderOptions;
}

export interface FolderItem {
  path: string;
  classIndex: number;
  group: number;
  bbox?: [number, number, number, number];
  official?: 'trainval' | 'test';
}

export interface FolderPlan extends FolderSource {
  name: string;
  classNames: string[];
  groupNames: [string, string];
  /** In preparation order. */
  items: FolderItem[];
  /** What the annotations already left out (a WIDER person without a gender, a missing file). */
  skipped: { path: string; reason: string }[];
}

/** The fixed seed of the preparation order: part of the prepared data's identity, never of a run's. */
const PREPARE_SEED = 0x5eed_c4a7;

export const IMAGE_FILE = /\.(jpe?g|png|webp)$/i;

export async function planFolder(req: FolderSource, files: FolderFiles): Promise<FolderPlan> {
  const known = new Set(files.paths);
  const has = (p: string) => known.has(p) && IMAGE_FILE.test(p);
  let items: FolderItem[];
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
  const order = permutation(items.length, createRng(PREPARE_SEED));
  return { ...req, name, classNames, groupNames, items: Array.from(order, (i) => items[i]), skipped };
}

/** Version of the prepared chunks' layout (part of their identity). */
const PREPARED_FORMAT = 1;

/**
 * What prepared chunks are made from, as text for a hash (the runner's cache folder, the page's chunk
 * key): the format, the size, the source's options, the chunking, and every item — path, bytes, class,
 * group, box, official split — in preparation order. A changed file, label or option prepares anew.
 */
export function preparedIdentity(
  plan: FolderPlan,
  size: number,
  bytesOf: (path: string) => number,
  perChunk: number,
): string {
  return stableStringify({
    format: PREPARED_FORMAT,
    size,
    source: plan.source,
    wider: plan.wider ?? null,
    perChunk,
    items: plan.items.map((it) => [
      it.path,
      bytesOf(it.path),
      it.classIndex,
      it.group,
      it.bbox ?? null,
      it.official ?? null,
    ]),
  });
}
