import { readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, join, relative, sep } from 'node:path';
import { folderDataset, type FolderDataset } from '../engine/data/folderDataset';
import { resizeRgb } from '../engine/weights/imagenetTransform';
import { decodeImage } from './decodeImage';
import { squareRegion } from '../engine/data/squareRegion';

/**
 * The runner's real data: `--data folder:DIR` (images and a labels CSV) or `--data wider:DIR` (a WIDER
 * Attribute copy), read from disk and prepared by the same steps as the page's import (folderDataset):
 * here Node decodes PNG and JPEG (pngjs, jpeg-js: pure JavaScript, nothing native in the self-contained
 * bundle), cuts the center square or the person box and resizes it with Pillow's antialiased bicubic.
 * WebP is not decoded in Node; such images are skipped and said so. The whole dataset is held in memory
 * at the chosen size (13,789 WIDER photos at 64 px: 170 MB).
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
function squareOf(path: string, file: Uint8Array, size: number, box?: [number, number, number, number]): Uint8Array {
  const img = decodeImage(file, path);
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

export async function readFolderData(
  spec: DataSpec,
  opts: { size: number; seed: number; wider?: { mode: 'image' | 'person'; classes: 'clusters' | 'scenes' } },
  progress: (s: string) => void,
): Promise<FolderDataset> {
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
  let last = 0;
  return folderDataset(
    { size: opts.size, source: spec.source, wider: opts.wider, seed: opts.seed },
    {
      folder: basename(spec.dir),
      paths,
      bytes: (p) => statSync(join(spec.dir, p)).size,
      text: (p) => readFile(join(spec.dir, p), 'utf8'),
    },
    async (p, size, box) => {
      if (/\.webp$/i.test(p)) throw new Error('WebP is decoded in the page only');
      return squareOf(p, await readFile(join(spec.dir, p)), size, box);
    },
    (p) => {
      const now = Date.now();
      if (now - last > 2000 || p.done === p.total) {
        last = now;
        progress(
          `preparing ${p.done}/${p.total} images${p.etaSeconds !== null ? ` · ETA ${Math.round(p.etaSeconds)} s` : ''}\n`,
        );
      }
    },
  );
}
