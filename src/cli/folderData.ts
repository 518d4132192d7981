import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, join, relative, sep } from 'node:path';
import { finishFolder, folderDataset, type FolderDataset, type FolderProgress } from '../engine/data/folderDataset';
import { planFolder, type FolderFiles } from '../engine/data/folderPlan';
import { prepareChunks } from '../engine/data/folderPrepare';
import { imagesPerChunk } from '../engine/data/pixelChunks';
import { cacheFolder, preparedKey, diskChunks, diskSink, ensureCacheRoot, takeLock, type CacheInfo } from './dataCache';
import { resizeRgb } from '../engine/weights/imagenetTransform';
import { decodeImage } from './decodeImage';
import { squareRegion } from '../engine/data/squareRegion';

/**
 * The runner's real data: `--data folder:DIR` (images and a labels CSV) or `--data wider:DIR` (a WIDER
 * Attribute copy), read from disk and prepared by the same steps as the page's import (folderDataset):
 * here Node decodes PNG and JPEG (pngjs, jpeg-js: pure JavaScript) and WebP (libwebp in wasm) — nothing
 * native in the self-contained bundle — cuts the center square or the person box and resizes it with
 * Pillow's antialiased bicubic. With a cache (--data-cache) the
 * prepared pixels are chunks on disk, read a few at a time while training (dataCache.ts); without one
 * they are held in memory (13,789 WIDER photos at 64 px: 170 MB; at 224 px: 2.1 GB).
 */

export interface DataSpec {
  source: 'csv' | 'wider';
  dir: string;
}

export function parseDataSpec(text: string): DataSpec {
  const m = /^(folder|wider):(.+)$/.exec(text);
  if (!m)
    throw new Error(
      `--data: "${text}" must be folder:DIR (images + labels.csv) or wider:DIR (a WIDER Attribute copy).`,
    );
  return { source: m[1] === 'wider' ? 'wider' : 'csv', dir: m[2] };
}

function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) out.push(relative(dir, p).split(sep).join('/'));
    }
  };
  walk(dir);
  return out.sort();
}

/** The square (or the person box's centered square) of a decoded photo, resized to size × size RGB. */
export async function squareOf(
  path: string,
  file: Uint8Array,
  size: number,
  box?: [number, number, number, number],
): Promise<Uint8Array> {
  const img = await decodeImage(file, path);
  const { x0, y0, w, h, side } = squareRegion(img.width, img.height, box);
  const left = x0 + Math.floor((w - side) / 2);
  const top = y0 + Math.floor((h - side) / 2);
  const crop = new Uint8Array(side * side * 3);
  for (let y = 0; y < side; y++)
    crop.set(
      img.rgb.subarray(((top + y) * img.width + left) * 3, ((top + y) * img.width + left + side) * 3),
      y * side * 3,
    );
  return resizeRgb({ width: side, height: side, rgb: crop }, size, size, 'bicubic').rgb;
}

export interface FolderDataOptions {
  size: number;
  seed: number;
  wider?: { mode: 'image' | 'person'; classes: 'clusters' | 'scenes' };
  /** The on-disk chunk cache's root (--data-cache); null holds the prepared pixels in memory. */
  cache: string | null;
  shouldStop?: () => boolean;
  /** Images per chunk (tests make small datasets come in several chunks); by the size otherwise. */
  perChunk?: number;
  /** The key the preparation must have (a sweep's manifest): checked before any image is decoded. */
  expectKey?: string;
}

export type PreparedFolder = FolderDataset & { cache: CacheInfo | null; preparedKey: string | null };

/** The folder planned (files listed, labels and annotations read; no image decoded) and its prepared key. */
export async function planDataFolder(
  spec: DataSpec,
  opts: Pick<FolderDataOptions, 'size' | 'wider' | 'perChunk'>,
): Promise<{ key: string; images: number }> {
  const files = folderFiles(spec);
  const plan = await planFolder({ source: spec.source, wider: opts.wider }, files);
  const perChunk = opts.perChunk ?? imagesPerChunk(opts.size);
  return { key: preparedKey(plan, opts.size, files.bytes, perChunk), images: plan.items.length };
}

function folderFiles(spec: DataSpec): FolderFiles {
  let paths: string[];
  try {
    if (!statSync(spec.dir).isDirectory()) throw new Error('not a folder');
    paths = listFiles(spec.dir);
  } catch (e) {
    throw new Error(
      `--data ${spec.source === 'csv' ? 'folder' : 'wider'}:${spec.dir} cannot be read (${(e as Error).message}).`,
      { cause: e },
    );
  }
  const sizes = new Map<string, number>();
  const bytesOf = (p: string) => {
    let n = sizes.get(p);
    if (n === undefined) sizes.set(p, (n = statSync(join(spec.dir, p)).size));
    return n;
  };
  return {
    folder: basename(spec.dir),
    paths,
    bytes: bytesOf,
    text: (p: string) => readFile(join(spec.dir, p), 'utf8'),
  };
}

export async function readFolderData(
  spec: DataSpec,
  opts: FolderDataOptions,
  progress: (s: string) => void,
): Promise<PreparedFolder> {
  const files = folderFiles(spec);
  const bytesOf = files.bytes;
  const decode = async (p: string, size: number, box?: [number, number, number, number]) => {
    return squareOf(p, await readFile(join(spec.dir, p)), size, box);
  };
  let last = 0;
  const report = (p: FolderProgress) => {
    const now = Date.now();
    if (now - last > 2000 || p.done === p.total) {
      last = now;
      progress(
        `preparing ${p.done}/${p.total} images${p.resumedChunks ? ` (${p.resumedChunks} chunks prepared before)` : ''}${p.etaSeconds !== null ? ` · ETA ${Math.round(p.etaSeconds)} s` : ''}\n`,
      );
    }
  };
  const request = { size: opts.size, source: spec.source, wider: opts.wider, seed: opts.seed };
  if (opts.cache === null)
    return {
      ...(await folderDataset(request, files, decode, report, opts.shouldStop)),
      cache: null,
      preparedKey: null,
    };
  ensureCacheRoot(opts.cache);
  const plan = await planFolder(request, files);
  const perChunk = opts.perChunk ?? imagesPerChunk(opts.size);
  const key = preparedKey(plan, opts.size, bytesOf, perChunk);
  if (opts.expectKey !== undefined && key !== opts.expectKey)
    throw new Error(
      `--data ${spec.source === 'csv' ? 'folder' : 'wider'}:${spec.dir} is not the data the sweep was planned on (its files, labels or options differ: ${key}, planned ${opts.expectKey}).`,
    );
  const dir = cacheFolder(opts.cache, plan.source, opts.size, key);
  mkdirSync(dir, { recursive: true });
  const unlock = await takeLock(dir, progress);
  let records;
  let finishedBefore = 0;
  try {
    records = await prepareChunks(
      plan,
      opts.size,
      decode,
      diskSink(dir, plan, opts.size, perChunk),
      bytesOf,
      (p) => {
        finishedBefore = Math.max(finishedBefore, p.resumedChunks);
        report(p);
      },
      opts.shouldStop,
      perChunk,
    );
  } finally {
    unlock();
  }
  const prepared = finishFolder(plan, opts.size, opts.seed, records, diskChunks(dir, records, opts.size), bytesOf);
  return { ...prepared, cache: { dir, finishedBefore, chunks: records.length }, preparedKey: key };
}
