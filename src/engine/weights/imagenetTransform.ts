import { IMAGENET_MEAN, IMAGENET_STD } from '../models/torchvisionLayers';

/**
 * torchvision's ImageNet transform for its EfficientNet weights (EfficientNet_B*_Weights.IMAGENET1K_V1
 * .transforms(): resize the shorter side to 256 / 320 with bicubic interpolation, center-crop 224 / 300,
 * scale to [0, 1], normalise by ImageNet's mean and std), on 8-bit RGB pixels, as torchvision does it on a
 * PIL image: Pillow's resampling (a separable convolution whose support widens with the downscale, in
 * fixed point with 22 fractional bits and a rounding to 8 bits after each pass), torchvision's output size
 * (the longer side truncated) and its crop offsets (Python's round, half to even). Pure TypeScript: the
 * runner and the page's worker get the same pixels.
 */

export interface RgbImage {
  width: number;
  height: number;
  /** width × height × 3 bytes, row-major RGB. */
  rgb: Uint8Array;
}

export type Interpolation = 'bicubic' | 'bilinear';

const FILTERS: Record<Interpolation, { support: number; f: (x: number) => number }> = {
  bilinear: { support: 1, f: (x) => (Math.abs(x) < 1 ? 1 - Math.abs(x) : 0) },
  bicubic: {
    support: 2,
    f: (x) => {
      const a = -0.5;
      x = Math.abs(x);
      if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
      if (x < 2) return (((x - 5) * x + 8) * x - 4) * a;
      return 0;
    },
  },
};

const PRECISION_BITS = 32 - 8 - 2;

/** Pillow's precompute_coeffs and normalize_coeffs_8bpc: per output pixel, its first input and integer weights. */
function coefficients(inSize: number, outSize: number, filter: (typeof FILTERS)[Interpolation]) {
  const scale = inSize / outSize;
  const filterscale = Math.max(1, scale);
  const support = filter.support * filterscale;
  const ksize = Math.ceil(support) * 2 + 1;
  const bounds = new Int32Array(outSize * 2);
  const kk = new Int32Array(outSize * ksize);
  const w = new Float64Array(ksize);
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    const ss = 1 / filterscale;
    // C's (int) truncates toward zero.
    const xmin = Math.max(0, Math.trunc(center - support + 0.5));
    const xmax = Math.min(inSize, Math.trunc(center + support + 0.5)) - xmin;
    let ww = 0;
    for (let x = 0; x < xmax; x++) {
      w[x] = filter.f((x + xmin - center + 0.5) * ss);
      ww += w[x];
    }
    for (let x = 0; x < xmax; x++) {
      const k = ww !== 0 ? w[x] / ww : w[x];
      kk[xx * ksize + x] =
        k < 0 ? Math.trunc(-0.5 + k * (1 << PRECISION_BITS)) : Math.trunc(0.5 + k * (1 << PRECISION_BITS));
    }
    bounds[xx * 2] = xmin;
    bounds[xx * 2 + 1] = xmax;
  }
  return { ksize, bounds, kk };
}

const clip8 = (v: number) => {
  const s = Math.floor(v / (1 << PRECISION_BITS));
  return s < 0 ? 0 : s > 255 ? 255 : s;
};

/** Pillow's Image.resize for RGB: the horizontal pass, then the vertical, each rounded to 8 bits. */
export function resizeRgb(img: RgbImage, width: number, height: number, how: Interpolation): RgbImage {
  const filter = FILTERS[how];
  let cur = img;
  if (width !== img.width) {
    const { ksize, bounds, kk } = coefficients(img.width, width, filter);
    const out = new Uint8Array(width * img.height * 3);
    for (let y = 0; y < img.height; y++)
      for (let xx = 0; xx < width; xx++) {
        const xmin = bounds[xx * 2];
        const xmax = bounds[xx * 2 + 1];
        for (let c = 0; c < 3; c++) {
          // Integer sums: exact in a double up to 2^53, as Pillow's INT32 arithmetic is.
          let ss = 1 << (PRECISION_BITS - 1);
          for (let x = 0; x < xmax; x++) ss += img.rgb[(y * img.width + x + xmin) * 3 + c] * kk[xx * ksize + x];
          out[(y * width + xx) * 3 + c] = clip8(ss);
        }
      }
    cur = { width, height: img.height, rgb: out };
  }
  if (height !== cur.height) {
    const { ksize, bounds, kk } = coefficients(cur.height, height, filter);
    const out = new Uint8Array(width * height * 3);
    for (let yy = 0; yy < height; yy++) {
      const ymin = bounds[yy * 2];
      const ymax = bounds[yy * 2 + 1];
      for (let x = 0; x < width; x++)
        for (let c = 0; c < 3; c++) {
          let ss = 1 << (PRECISION_BITS - 1);
          for (let y = 0; y < ymax; y++) ss += cur.rgb[((y + ymin) * width + x) * 3 + c] * kk[yy * ksize + y];
          out[(yy * width + x) * 3 + c] = clip8(ss);
        }
    }
    cur = { width, height, rgb: out };
  }
  return cur;
}

/** Python's round(): half to even. */
const roundHalfEven = (v: number) => {
  const f = Math.floor(v);
  const d = v - f;
  return d > 0.5 ? f + 1 : d < 0.5 ? f : f % 2 === 0 ? f : f + 1;
};

/**
 * The model's input for a photo: [crop, crop, 3] float32 (HWC), normalised as torchvision's transform
 * leaves it (ready for a model built without the ImageNet input layer).
 */
export function imagenetInput(
  img: RgbImage,
  resize: number,
  crop: number,
  how: Interpolation = 'bicubic',
): Float32Array {
  const short = Math.min(img.width, img.height);
  const long = Math.max(img.width, img.height);
  const newLong = Math.trunc((resize * long) / short);
  const [w, h] = img.width <= img.height ? [resize, newLong] : [newLong, resize];
  const resized = w === img.width && h === img.height ? img : resizeRgb(img, w, h, how);
  if (resized.width < crop || resized.height < crop)
    throw new Error(
      `The photo (${img.width}×${img.height}) is resized to ${w}×${h}, smaller than the ${crop}-pixel crop.`,
    );
  const top = roundHalfEven((resized.height - crop) / 2);
  const left = roundHalfEven((resized.width - crop) / 2);
  const out = new Float32Array(crop * crop * 3);
  const mean = IMAGENET_MEAN.map(Math.fround);
  const std = IMAGENET_STD.map(Math.fround);
  for (let y = 0; y < crop; y++)
    for (let x = 0; x < crop; x++)
      for (let c = 0; c < 3; c++) {
        const p = resized.rgb[((y + top) * resized.width + x + left) * 3 + c];
        out[(y * crop + x) * 3 + c] = Math.fround(Math.fround(Math.fround(p / 255) - mean[c]) / std[c]);
      }
  return out;
}
