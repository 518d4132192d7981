import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import type { RgbImage } from '../engine/weights/imagenetTransform';
import { decodeWebp, isWebp } from './webpDecoder';

/**
 * A photo file decoded to 8-bit RGB in Node, by its first bytes: PNG with pngjs, JPEG with jpeg-js (both
 * pure JavaScript, so the self-contained bundle needs no native addon), WebP with libwebp's wasm build
 * (webpDecoder.ts). Alpha is dropped, as PIL's
 * convert('RGB') drops it. A JPEG decoder may differ from libjpeg-turbo's by a level here and there.
 */
export async function decodeImage(file: Uint8Array, name: string): Promise<RgbImage> {
  let rgba: Uint8Array;
  let width: number;
  let height: number;
  try {
    if (file[0] === 0x89 && file[1] === 0x50 && file[2] === 0x4e && file[3] === 0x47) {
      const png = PNG.sync.read(Buffer.from(file.buffer, file.byteOffset, file.byteLength));
      ({ width, height } = png);
      rgba = png.data;
    } else if (file[0] === 0xff && file[1] === 0xd8) {
      const img = jpeg.decode(file, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 1024 });
      ({ width, height } = img);
      rgba = img.data;
    } else if (isWebp(file)) {
      const img = await decodeWebp(file);
      ({ width, height } = img);
      rgba = img.data;
    } else throw new Error('neither PNG, JPEG nor WebP');
  } catch (e) {
    throw new Error(`${name} cannot be read as a photo: ${(e as Error).message}.`, { cause: e });
  }
  const rgb = new Uint8Array(width * height * 3);
  for (let i = 0, j = 0; i < width * height; i++, j += 4) {
    rgb[i * 3] = rgba[j];
    rgb[i * 3 + 1] = rgba[j + 1];
    rgb[i * 3 + 2] = rgba[j + 2];
  }
  return { width, height, rgb };
}
