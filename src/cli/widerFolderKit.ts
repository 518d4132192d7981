import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import jpeg from 'jpeg-js';
import { WIDER_SCENES } from '../engine/data/wider';

/**
 * A WIDER Attribute copy at the real dataset's scale for the data path's tests and benchmarks (no real
 * WIDER copy is at hand): 13,789 JPEG photos of 640×480 in the real layout (Image/<id>--<scene>/…,
 * wider_attribute_trainval.json with 6,871 photos and wider_attribute_test.json with 6,918, as in the
 * real copy), each with one to three people whose Male attribute is +1, −1 or 0. The pixels carry the
 * scene and the majority gender (a colour per scene, a stripe per gender, gradient and noise), so a tiny
 * model can learn something from them; 240 distinct photos (scene × gender × 4) are encoded once and each
 * file gets its own bytes by a JPEG comment naming it, so no two files are equal.
 */

export const WIDER_TRAINVAL = 6871;
export const WIDER_TEST = 6918;

function photo(scene: number, male: boolean, variant: number, width: number, height: number): Uint8Array {
  const rgba = new Uint8Array(width * height * 4);
  let s = 1 + scene * 131 + variant * 7 + (male ? 9973 : 0);
  const rnd = () => ((s = (s * 1103515245 + 12345) >>> 0) >>> 16) % 12;
  const base = [(scene * 53) % 256, (scene * 97 + 80) % 256, (scene * 29 + 160) % 256];
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      const stripe = male ? (x >> 5) % 2 === 0 : (y >> 5) % 2 === 0;
      rgba[i] = (base[0] + (x * 64) / width + rnd() + (stripe ? 60 : 0)) % 256;
      rgba[i + 1] = (base[1] + (y * 64) / height + rnd()) % 256;
      rgba[i + 2] = (base[2] + ((x ^ y) & 31) + variant * 16) % 256;
      rgba[i + 3] = 255;
    }
  return jpeg.encode({ data: rgba, width, height }, 85).data;
}

/** A JPEG with a comment segment (FF FE) after its SOI marker: the same pixels, bytes of its own. */
function withComment(file: Uint8Array, text: string): Uint8Array {
  const body = new TextEncoder().encode(text);
  const seg = new Uint8Array(4 + body.length);
  seg.set([0xff, 0xfe, (body.length + 2) >> 8, (body.length + 2) & 0xff]);
  seg.set(body, 4);
  const out = new Uint8Array(file.length + seg.length);
  out.set(file.subarray(0, 2));
  out.set(seg, 2);
  out.set(file.subarray(2), 2 + seg.length);
  return out;
}

export function makeLargeWiderCopy(
  dir: string,
  opts: { trainval?: number; test?: number; width?: number; height?: number } = {},
): { dir: string; photos: number; bytes: number } {
  const { trainval = WIDER_TRAINVAL, test = WIDER_TEST, width = 640, height = 480 } = opts;
  const encoded = new Map<string, Uint8Array>();
  const split: Record<'trainval' | 'test', object[]> = { trainval: [], test: [] };
  let bytes = 0;
  let s = 12345;
  const rnd = (n: number) => ((s = (s * 1103515245 + 12345) >>> 0) >>> 8) % n;
  for (let n = 0; n < trainval + test; n++) {
    const scene = rnd(30);
    const people = 1 + rnd(3);
    // Scenes lean to one gender by their id, as WIDER's do by their content.
    const lean = (scene % 5) / 4;
    const male = Array.from({ length: people }, () => (rnd(100) < 100 * lean ? 1 : rnd(10) === 0 ? 0 : -1));
    const majorityMale = male.filter((m) => m === 1).length >= male.filter((m) => m === -1).length;
    const variant = rnd(4);
    const key = `${scene}:${majorityMale}:${variant}`;
    let file = encoded.get(key);
    if (!file) encoded.set(key, (file = photo(scene, majorityMale, variant, width, height)));
    const folder = `${scene}--${WIDER_SCENES[scene]}`;
    const name = `${scene}_${WIDER_SCENES[scene]}_${n}.jpg`;
    mkdirSync(join(dir, 'Image', folder), { recursive: true });
    const bytesOut = withComment(file, name);
    writeFileSync(join(dir, 'Image', folder, name), bytesOut);
    bytes += bytesOut.length;
    (n < trainval ? split.trainval : split.test).push({
      file_name: name,
      scene_id: scene,
      targets: male.map((m, k) => ({
        attribute: [m, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
        bbox: [40 + 180 * k, 60, 160, 360],
      })),
    });
  }
  for (const name of ['trainval', 'test'] as const)
    writeFileSync(
      join(dir, `wider_attribute_${name}.json`),
      JSON.stringify({
        images: split[name],
        attribute_id_map: { 0: 'Male' },
        scene_id_map: Object.fromEntries(WIDER_SCENES.map((x, i) => [i, x])),
      }),
    );
  return { dir, photos: trainval + test, bytes };
}

// `tsx src/cli/widerFolderKit.ts DIR [photos]`: the copy the data path's measurement reads.
if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = process.argv[2];
  if (!dir) throw new Error('Usage: tsx src/cli/widerFolderKit.ts DIR [photos]');
  const total = process.argv[3] ? Number(process.argv[3]) : WIDER_TRAINVAL + WIDER_TEST;
  const trainval = Math.round((total * WIDER_TRAINVAL) / (WIDER_TRAINVAL + WIDER_TEST));
  const t0 = Date.now();
  const made = makeLargeWiderCopy(dir, { trainval, test: total - trainval });
  console.log(
    `${made.photos} photos, ${(made.bytes / 1e6).toFixed(1)} MB in ${dir} (${((Date.now() - t0) / 1000).toFixed(0)} s)`,
  );
}
