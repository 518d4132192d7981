import { squareRegion } from '../engine/data/squareRegion';
/**
 * A photo into the model's input: decoded by the browser (createImageBitmap, in the worker),
 * center-cropped to a square and resized to size × size on an OffscreenCanvas — the same path
 * every decoded training image takes. With `region` (a person box [x, y, w, h]) the square is
 * centered in that box instead of the whole photo. Returns HWC uint8 RGB.
 */
const ACCEPTED = ['image/jpeg', 'image/png', 'image/webp'];

export async function decodeToSquare(
  blob: Blob,
  size: number,
  name = 'The file',
  region?: [number, number, number, number],
): Promise<Uint8Array> {
  if (blob.size === 0) throw new Error(`${name} is empty (0 bytes).`);
  if (blob.type && !ACCEPTED.includes(blob.type))
    throw new Error(`${name} is ${blob.type}; the demo reads JPEG, PNG and WebP images.`);
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(blob);
  } catch {
    throw new Error(
      `${name} could not be decoded as an image: it is not a valid JPEG, PNG or WebP file, or it is damaged.`,
    );
  }
  try {
    // The box clipped to the photo; without one, the whole photo.
    const { x0, y0, w, h, side } = squareRegion(bitmap.width, bitmap.height, region);
    const canvas = new OffscreenCanvas(size, size);
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    if (!ctx) throw new Error('This browser cannot draw on an OffscreenCanvas in a worker.');
    ctx.imageSmoothingEnabled = true;
    ctx.imageSmoothingQuality = 'high';
    ctx.drawImage(bitmap, x0 + (w - side) / 2, y0 + (h - side) / 2, side, side, 0, 0, size, size);
    const rgba = ctx.getImageData(0, 0, size, size).data;
    const rgb = new Uint8Array(size * size * 3);
    for (let i = 0, j = 0; i < rgba.length; i += 4, j += 3) {
      rgb[j] = rgba[i];
      rgb[j + 1] = rgba[i + 1];
      rgb[j + 2] = rgba[i + 2];
    }
    return rgb;
  } finally {
    bitmap.close();
  }
}
