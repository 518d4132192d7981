// AssemblyScript (compiled by src/build/simdKernels.ts, not by tsc): what every convolution kernel
// of kernels.as.ts shares — the multiply-add and the padding arithmetic.

// Relaxed SIMD's fused multiply-add where the build enables it (one instruction, one rounding);
// otherwise a multiply and an add.
@inline
export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

// Output pixels per block of the depthwise filter gradient: a block's x and dy rows stay in cache
// while every tap runs over them, and its accumulators are loaded and stored once per block.
const BLOCK_PIXELS: i32 = 256;

/** First output column whose input column ox·s − pad + f is ≥ 0. */
@inline
export function firstCol(s: i32, pad: i32, f: i32): i32 {
  const need = pad - f;
  return need <= 0 ? 0 : (need + s - 1) / s;
}

/** One past the last output column whose input column is < width. */
@inline
export function endCol(s: i32, pad: i32, f: i32, width: i32, outWidth: i32): i32 {
  const last = width - 1 + pad - f;
  if (last < 0) return 0;
  const end = last / s + 1;
  return end < outWidth ? end : outWidth;
}

/** Input row address of output row r at tap row fy, or 0 when the tap falls in the padding. */
@inline
export function inputRow(x: usize, r: i32, H: i32, W: i32, C: i32, OH: i32, SH: i32, PT: i32, fy: i32): usize {
  const b = r / OH, oy = r - b * OH;
  const iy = oy * SH - PT + fy;
  if (iy < 0 || iy >= H) return 0;
  return x + (<usize>((b * H + iy) * W * C) << 2);
}
