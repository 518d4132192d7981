import { createRng, subSeed } from '../random';

/**
 * Training-time augmentation for photos: a random-resized crop and a horizontal flip, torchvision's
 * RandomResizedCrop + RandomHorizontalFlip drawn from the stored square image. Each example's draw is
 * seeded by (run seed, epoch, example), so two runs with one seed see the same crops and a resumed run
 * the crops it would have seen. Evaluation never augments: it reads the stored image whole (the fixed
 * center view). Off for the built-in data, whose counterfactual twins and cue positions a crop would break.
 */

export type Augment = 'off' | 'crop+flip';

export interface CropDraw {
  x0: number;
  y0: number;
  w: number;
  h: number;
  flip: boolean;
}

/** torchvision's defaults narrowed at the small end: a stored square is already a crop of the photo. */
export const CROP_SCALE: [number, number] = [0.25, 1];
export const CROP_RATIO: [number, number] = [3 / 4, 4 / 3];

/**
 * torchvision's RandomResizedCrop.get_params on a size × size image: up to 10 tries of an area share in
 * CROP_SCALE and a log-uniform aspect ratio in CROP_RATIO that fit, else the whole image; then a flip.
 */
export function drawCrop(rng: () => number, size: number): CropDraw {
  const area = size * size;
  const [lo, hi] = CROP_RATIO.map(Math.log);
  let crop: Omit<CropDraw, 'flip'> = { x0: 0, y0: 0, w: size, h: size };
  for (let t = 0; t < 10; t++) {
    const target = area * (CROP_SCALE[0] + rng() * (CROP_SCALE[1] - CROP_SCALE[0]));
    const ratio = Math.exp(lo + rng() * (hi - lo));
    const w = Math.round(Math.sqrt(target * ratio));
    const h = Math.round(Math.sqrt(target / ratio));
    if (w > 0 && h > 0 && w <= size && h <= size) {
      crop = { x0: Math.floor(rng() * (size - w + 1)), y0: Math.floor(rng() * (size - h + 1)), w, h };
      break;
    }
  }
  return { ...crop, flip: rng() < 0.5 };
}

/** The draw of one example in one epoch. */
export function cropFor(seed: number, epoch: number, example: number, size: number): CropDraw {
  return drawCrop(createRng(subSeed(seed, `augment:${epoch}:${example}`)), size);
}

/**
 * The crop of an RGB size × size image, resized to outSize × outSize (the stored size by default)
 * bilinearly (half-pixel centres, as torch's interpolate with align_corners=False), mirrored when drawn
 * so, normalised to [−1, 1] into out.
 */
export function cropInto(
  pixels: Uint8Array,
  size: number,
  c: CropDraw,
  out: Float32Array,
  offset: number,
  outSize = size,
): void {
  const sx = c.w / outSize;
  const sy = c.h / outSize;
  for (let y = 0; y < outSize; y++) {
    const fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), c.h - 1);
    const y0 = Math.floor(fy);
    const y1 = Math.min(y0 + 1, c.h - 1);
    const wy = fy - y0;
    for (let x = 0; x < outSize; x++) {
      const fx = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), c.w - 1);
      const x0 = Math.floor(fx);
      const x1 = Math.min(x0 + 1, c.w - 1);
      const wx = fx - x0;
      const dst = offset + (y * outSize + (c.flip ? outSize - 1 - x : x)) * 3;
      const r0 = (c.y0 + y0) * size + c.x0;
      const r1 = (c.y0 + y1) * size + c.x0;
      for (let ch = 0; ch < 3; ch++) {
        const top = pixels[(r0 + x0) * 3 + ch] * (1 - wx) + pixels[(r0 + x1) * 3 + ch] * wx;
        const bottom = pixels[(r1 + x0) * 3 + ch] * (1 - wx) + pixels[(r1 + x1) * 3 + ch] * wx;
        out[dst + ch] = (top * (1 - wy) + bottom * wy) / 127.5 - 1;
      }
    }
  }
}

/**
 * The fixed view of a stored size × size image at a smaller input size: its center input × input square,
 * pixel for pixel (torchvision's eval transform, Resize(stored) then CenterCrop(input), when the stored
 * size is the resize). Unflipped; evaluation and training without augmentation read it.
 */
export function centerCrop(size: number, input: number): CropDraw {
  const at = Math.floor((size - input) / 2);
  return { x0: at, y0: at, w: input, h: input, flip: false };
}
