// AssemblyScript (compiled by src/build/simdKernels.ts, not by tsc): convolution gradients as
// 128-bit wasm SIMD loops that work in place on the tfjs wasm backend's own memory (imported), so
// no tensor is copied in or out. Every pointer is a byte offset into that memory. NHWC, float32.
// The module has no data segment and allocates nothing: it must not touch memory it is not given.
// Each kernel accumulates into an output the caller has zeroed, over a range of channels [c0, c1),
// so that several threads can share one call (src/engine/kernels/simd/kernelThreads.ts).

// Relaxed SIMD's fused multiply-add where the build enables it (one instruction, one rounding);
// otherwise a multiply and an add.
@inline
function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

// Output pixels per block of the depthwise filter gradient: a block's x and dy rows stay in cache
// while every tap runs over them, and its accumulators are loaded and stored once per block.
const BLOCK_PIXELS: i32 = 256;

/** First output column whose input column ox·s − pad + f is ≥ 0. */
@inline
function firstCol(s: i32, pad: i32, f: i32): i32 {
  const need = pad - f;
  return need <= 0 ? 0 : (need + s - 1) / s;
}

/** One past the last output column whose input column is < width. */
@inline
function endCol(s: i32, pad: i32, f: i32, width: i32, outWidth: i32): i32 {
  const last = width - 1 + pad - f;
  if (last < 0) return 0;
  const end = last / s + 1;
  return end < outWidth ? end : outWidth;
}

/**
 * Filter gradient of a convolution (no dilation):
 *   dW[fy, fx, ci, co] = Σ_{b, oy, ox} x[b, oy·sH − pT + fy, ox·sW − pL + fx, ci] · dy[b, oy, ox, co].
 * A GEMM over output pixels, run as BLIS and XNNPACK run theirs: per block of `P` pixels, dy is
 * packed once into panels of 8 output channels ([pixel][8], contiguous) and, per tap, x into panels of
 * 4 input channels ([pixel][4], zeros where the tap reads padding); a 4 × 8 register tile then runs
 * down a pair of panels with sequential loads only — 2 loads of dy and 4 broadcasts of x feed 8
 * multiply-adds. With fewer than 8 input channels (an image's 3), x is packed for all taps at once
 * (im2col rows: channel k = tap · C + ci, dW's own order), so that the tiles are not mostly padding.
 * This call sums over output pixels [q0, q1) (whole blocks: threads split the pixels, each into a
 * dW of its own) into `dw` = the start of its scratch, zeroed here; the panels follow it:
 * KH·KW·C·CO + P · (⌈K/4⌉·4 + ⌈CO/8⌉·8) floats in all, K = C, or KH·KW·C for im2col.
 */
export function convFilterGrad(
  x: usize, dy: usize, dw: usize, P: i32,
  B: i32, H: i32, W: i32, C: i32, OH: i32, OW: i32, CO: i32,
  KH: i32, KW: i32, SH: i32, SW: i32, PT: i32, PL: i32, q0: i32, q1: i32,
): void {
  const co0 = 0, co1 = CO;
  const filterBytes = <usize>(KH * KW * C * CO) << 2;
  memory.fill(dw, 0, filterBytes);
  const scratch = dw + filterBytes;
  const im2col = C < 8;
  const K = im2col ? KH * KW * C : C;
  const ciTiles = (K + 3) >> 2, coTiles = (co1 - co0 + 7) >> 3;
  const xPanels = scratch, dyPanels = scratch + (<usize>(ciTiles * 4 * P) << 2);
  for (let p0 = q0; p0 < q1; p0 += P) {
    const n = min(P, q1 - p0);
    packDy(dy, dyPanels, p0, n, CO, co0, co1, coTiles);
    if (im2col) {
      const width = ciTiles * 4;
      packIm2col(x, xPanels, p0, n, H, W, C, OH, OW, SH, SW, PT, PL, KH, KW, width);
      for (let t = 0; t < coTiles; t++) {
        const dp = dyPanels + (<usize>(t * 8 * n) << 2);
        for (let u = 0; u < ciTiles; u++)
          tile4x8(xPanels + (<usize>(u * 4) << 2), <usize>width << 2, dp, n, dw, u * 4, co0 + t * 8, K, CO, co1);
      }
      continue;
    }
    for (let fy = 0; fy < KH; fy++) {
      for (let fx = 0; fx < KW; fx++) {
        packX(x, xPanels, p0, n, H, W, C, OH, OW, SH, SW, PT, PL, fy, fx, ciTiles);
        const tap = dw + (<usize>((fy * KW + fx) * C * CO) << 2);
        for (let t = 0; t < coTiles; t++) {
          const dp = dyPanels + (<usize>(t * 8 * n) << 2);
          const co = co0 + t * 8;
          for (let u = 0; u < ciTiles; u++)
            tile4x8(xPanels + (<usize>(u * 4 * n) << 2), 16, dp, n, tap, u * 4, co, C, CO, co1);
        }
      }
    }
  }
}

/** dy[p0 … p0 + n) × channels [co0, co1) as panels of 8 channels, [tile][pixel][8], zero-padded. */
function packDy(dy: usize, out: usize, p0: i32, n: i32, CO: i32, co0: i32, co1: i32, tiles: i32): void {
  for (let t = 0; t < tiles; t++) {
    const c = co0 + t * 8;
    const panel = out + (<usize>(t * 8 * n) << 2);
    if (c + 8 <= co1) {
      for (let i = 0; i < n; i++) {
        const src = dy + (<usize>((p0 + i) * CO + c) << 2);
        const dst = panel + (<usize>(i * 8) << 2);
        v128.store(dst, v128.load(src));
        v128.store(dst, v128.load(src, 16), 16);
      }
    } else {
      for (let i = 0; i < n; i++) {
        const src = dy + (<usize>((p0 + i) * CO) << 2);
        const dst = panel + (<usize>(i * 8) << 2);
        for (let j = 0; j < 8; j++) store<f32>(dst + (<usize>j << 2), c + j < co1 ? load<f32>(src + (<usize>(c + j) << 2)) : 0);
      }
    }
  }
}

/** x at tap (fy, fx) for output pixels [p0, p0 + n) as panels of 4 channels, [tile][pixel][4]; 0 in the padding. */
function packX(
  x: usize, out: usize, p0: i32, n: i32,
  H: i32, W: i32, C: i32, OH: i32, OW: i32, SH: i32, SW: i32, PT: i32, PL: i32, fy: i32, fx: i32, tiles: i32,
): void {
  const full = C & ~3;
  const panelBytes = <usize>(4 * n) << 2;
  let r = p0 / OW, ox = p0 - r * OW;
  for (let i = 0; i < n; i++) {
    const b = r / OH, oy = r - b * OH;
    const iy = oy * SH - PT + fy, ix = ox * SW - PL + fx;
    let dst = out + (<usize>(i * 4) << 2);
    if (iy < 0 || iy >= H || ix < 0 || ix >= W) {
      for (let t = 0; t < tiles; t++) {
        v128.store(dst, f32x4.splat(0));
        dst += panelBytes;
      }
    } else {
      const src = x + (<usize>(((b * H + iy) * W + ix) * C) << 2);
      let c = 0;
      for (; c < full; c += 4) {
        v128.store(dst, v128.load(src + (<usize>c << 2)));
        dst += panelBytes;
      }
      if (c < C) {
        for (let j = 0; j < 4; j++) store<f32>(dst + (<usize>j << 2), c + j < C ? load<f32>(src + (<usize>(c + j) << 2)) : 0);
      }
    }
    if (++ox == OW) {
      ox = 0;
      r++;
    }
  }
}

/**
 * x for output pixels [p0, p0 + n) as im2col rows, [pixel][⌈K/4⌉·4], channel k = tap · C + ci; 0 in the
 * padding. Pixel-major, so that each tap row's KW · C values are one contiguous copy.
 */
function packIm2col(
  x: usize, out: usize, p0: i32, n: i32,
  H: i32, W: i32, C: i32, OH: i32, OW: i32, SH: i32, SW: i32, PT: i32, PL: i32, KH: i32, KW: i32, width: i32,
): void {
  const rowFloats = KW * C;
  let r = p0 / OW, ox = p0 - r * OW;
  for (let i = 0; i < n; i++) {
    const b = r / OH, oy = r - b * OH;
    let dst = out + (<usize>(i * width) << 2);
    const ix0 = ox * SW - PL;
    const inside = ix0 >= 0 && ix0 + KW <= W;
    for (let fy = 0; fy < KH; fy++) {
      const iy = oy * SH - PT + fy;
      if (iy < 0 || iy >= H) {
        memory.fill(dst, 0, <usize>rowFloats << 2);
      } else if (inside) {
        const src = x + (<usize>(((b * H + iy) * W + ix0) * C) << 2);
        for (let k = 0; k < rowFloats; k++) store<f32>(dst + (<usize>k << 2), load<f32>(src + (<usize>k << 2)));
      } else {
        for (let fx = 0; fx < KW; fx++) {
          const ix = ix0 + fx;
          const d = dst + (<usize>(fx * C) << 2);
          if (ix < 0 || ix >= W) memory.fill(d, 0, <usize>C << 2);
          else {
            const src = x + (<usize>(((b * H + iy) * W + ix) * C) << 2);
            for (let c = 0; c < C; c++) store<f32>(d + (<usize>c << 2), load<f32>(src + (<usize>c << 2)));
          }
        }
      }
      dst += <usize>rowFloats << 2;
    }
    for (let k = KH * rowFloats; k < width; k++) {
      store<f32>(dst, 0);
      dst += 4;
    }
    if (++ox == OW) {
      ox = 0;
      r++;
    }
  }
}

/**
 * dW[ci … ci + 4, co … co + 8] += the product over n pixels of x (4 channels, `xStride` bytes from one
 * pixel to the next: 16 in a panel, an im2col row's width) and a dy panel; only the part inside C and
 * co1 is written.
 */
function tile4x8(xp: usize, xStride: usize, dp: usize, n: i32, tap: usize, ci: i32, co: i32, C: i32, CO: i32, co1: i32): void {
  let a00 = f32x4.splat(0), a01 = f32x4.splat(0), a10 = f32x4.splat(0), a11 = f32x4.splat(0);
  let a20 = f32x4.splat(0), a21 = f32x4.splat(0), a30 = f32x4.splat(0), a31 = f32x4.splat(0);
  for (let i = 0; i < n; i++) {
    const d0 = v128.load(dp), d1 = v128.load(dp, 16);
    let s = v128.load32_splat(xp);
    a00 = madd(s, d0, a00); a01 = madd(s, d1, a01);
    s = v128.load32_splat(xp, 4);
    a10 = madd(s, d0, a10); a11 = madd(s, d1, a11);
    s = v128.load32_splat(xp, 8);
    a20 = madd(s, d0, a20); a21 = madd(s, d1, a21);
    s = v128.load32_splat(xp, 12);
    a30 = madd(s, d0, a30); a31 = madd(s, d1, a31);
    xp += xStride;
    dp += 32;
  }
  const row = <usize>CO << 2;
  const out = tap + (<usize>(ci * CO + co) << 2);
  if (ci + 4 <= C && co + 8 <= co1) {
    v128.store(out, f32x4.add(v128.load(out), a00)); v128.store(out, f32x4.add(v128.load(out, 16), a01), 16);
    const o1 = out + row;
    v128.store(o1, f32x4.add(v128.load(o1), a10)); v128.store(o1, f32x4.add(v128.load(o1, 16), a11), 16);
    const o2 = o1 + row;
    v128.store(o2, f32x4.add(v128.load(o2), a20)); v128.store(o2, f32x4.add(v128.load(o2, 16), a21), 16);
    const o3 = o2 + row;
    v128.store(o3, f32x4.add(v128.load(o3), a30)); v128.store(o3, f32x4.add(v128.load(o3, 16), a31), 16);
    return;
  }
  // An edge tile: lane by lane, inside the filter only.
  addLanes(out, a00, a01, min(8, co1 - co), 1 <= C - ci);
  addLanes(out + row, a10, a11, min(8, co1 - co), 2 <= C - ci);
  addLanes(out + 2 * row, a20, a21, min(8, co1 - co), 3 <= C - ci);
  addLanes(out + 3 * row, a30, a31, min(8, co1 - co), 4 <= C - ci);
}

function addLanes(out: usize, lo: v128, hi: v128, lanes: i32, inside: bool): void {
  if (!inside) return;
  if (lanes > 0) store<f32>(out, load<f32>(out) + f32x4.extract_lane(lo, 0));
  if (lanes > 1) store<f32>(out, load<f32>(out, 4) + f32x4.extract_lane(lo, 1), 4);
  if (lanes > 2) store<f32>(out, load<f32>(out, 8) + f32x4.extract_lane(lo, 2), 8);
  if (lanes > 3) store<f32>(out, load<f32>(out, 12) + f32x4.extract_lane(lo, 3), 12);
  if (lanes > 4) store<f32>(out, load<f32>(out, 16) + f32x4.extract_lane(hi, 0), 16);
  if (lanes > 5) store<f32>(out, load<f32>(out, 20) + f32x4.extract_lane(hi, 1), 20);
  if (lanes > 6) store<f32>(out, load<f32>(out, 24) + f32x4.extract_lane(hi, 2), 24);
  if (lanes > 7) store<f32>(out, load<f32>(out, 28) + f32x4.extract_lane(hi, 3), 28);
}

/** Input row address of output row r at tap row fy, or 0 when the tap falls in the padding. */
@inline
function inputRow(x: usize, r: i32, H: i32, W: i32, C: i32, OH: i32, SH: i32, PT: i32, fy: i32): usize {
  const b = r / OH, oy = r - b * OH;
  const iy = oy * SH - PT + fy;
  if (iy < 0 || iy >= H) return 0;
  return x + (<usize>((b * H + iy) * W * C) << 2);
}

/**
 * Filter gradient of a depthwise convolution, channel multiplier 1:
 *   dW[fy, fx, c] = Σ_{b, oy, ox} x[b, oy·sH − pT + fy, ox·sW − pL + fx, c] · dy[b, oy, ox, c].
 * 8 channels at a time; per block of rows and per tap, two accumulators run over the block's pixels.
 * This call computes channels [c0, c1).
 */
export function depthwiseFilterGrad(
  x: usize, dy: usize, dw: usize,
  B: i32, H: i32, W: i32, C: i32, OH: i32, OW: i32,
  KH: i32, KW: i32, SH: i32, SW: i32, PT: i32, PL: i32, c0: i32, c1: i32,
): void {
  const rows = B * OH;
  let rowsPerBlock = BLOCK_PIXELS / OW;
  if (rowsPerBlock < 1) rowsPerBlock = 1;
  const xStep = <usize>(SW * C) << 2, dyPix = <usize>C << 2;
  for (let r0 = 0; r0 < rows; r0 += rowsPerBlock) {
    const r1 = min(r0 + rowsPerBlock, rows);
    for (let fy = 0; fy < KH; fy++) {
      for (let fx = 0; fx < KW; fx++) {
        const lo = firstCol(SW, PL, fx), hi = endCol(SW, PL, fx, W, OW);
        if (lo >= hi) continue;
        const tap = dw + (<usize>((fy * KW + fx) * C) << 2);
        let c = c0;
        for (; c + 8 <= c1; c += 8) {
          let a0 = v128.load(tap + (<usize>c << 2)), a1 = v128.load(tap + (<usize>c << 2), 16);
          for (let r = r0; r < r1; r++) {
            const row = inputRow(x, r, H, W, C, OH, SH, PT, fy);
            if (row == 0) continue;
            let xp = row + (<usize>((lo * SW - PL + fx) * C + c) << 2);
            let dp = dy + (<usize>((r * OW + lo) * C + c) << 2);
            for (let ox = lo; ox < hi; ox++) {
              a0 = madd(v128.load(xp), v128.load(dp), a0);
              a1 = madd(v128.load(xp, 16), v128.load(dp, 16), a1);
              xp += xStep;
              dp += dyPix;
            }
          }
          v128.store(tap + (<usize>c << 2), a0);
          v128.store(tap + (<usize>c << 2), a1, 16);
        }
        for (; c < c1; c++) {
          let a = load<f32>(tap + (<usize>c << 2));
          for (let r = r0; r < r1; r++) {
            const row = inputRow(x, r, H, W, C, OH, SH, PT, fy);
            if (row == 0) continue;
            let xp = row + (<usize>((lo * SW - PL + fx) * C + c) << 2);
            let dp = dy + (<usize>((r * OW + lo) * C + c) << 2);
            for (let ox = lo; ox < hi; ox++) {
              a += load<f32>(xp) * load<f32>(dp);
              xp += xStep;
              dp += dyPix;
            }
          }
          store<f32>(tap + (<usize>c << 2), a);
        }
      }
    }
  }
}

/**
 * Input gradient of a depthwise convolution, channel multiplier 1, scattered from each output
 * pixel: dx[b, oy·sH − pT + fy, ox·sW − pL + fx, c] += dy[b, oy, ox, c] · W[fy, fx, c]. This call
 * computes images [b0, b1) of the batch (threads split the batch, as for convInputGrad).
 */
export function depthwiseInputGrad(
  dy: usize, w: usize, dx: usize,
  B: i32, H: i32, W: i32, C: i32, OH: i32, OW: i32,
  KH: i32, KW: i32, SH: i32, SW: i32, PT: i32, PL: i32, b0: i32, b1: i32,
): void {
  const c0 = 0, c1 = C;
  const xStep = <usize>(SW * C) << 2, dyPix = <usize>C << 2;
  for (let r = b0 * OH; r < b1 * OH; r++) {
    for (let fy = 0; fy < KH; fy++) {
      const row = inputRow(dx, r, H, W, C, OH, SH, PT, fy);
      if (row == 0) continue;
      for (let fx = 0; fx < KW; fx++) {
        const lo = firstCol(SW, PL, fx), hi = endCol(SW, PL, fx, W, OW);
        if (lo >= hi) continue;
        const tap = w + (<usize>((fy * KW + fx) * C) << 2);
        const start = row + (<usize>((lo * SW - PL + fx) * C) << 2);
        const dyRow = dy + (<usize>((r * OW + lo) * C) << 2);
        let c = c0;
        for (; c + 8 <= c1; c += 8) {
          const off = <usize>c << 2;
          const w0 = v128.load(tap + off), w1 = v128.load(tap + off, 16);
          let xp = start + off, dp = dyRow + off;
          for (let ox = lo; ox < hi; ox++) {
            v128.store(xp, madd(v128.load(dp), w0, v128.load(xp)));
            v128.store(xp, madd(v128.load(dp, 16), w1, v128.load(xp, 16)), 16);
            xp += xStep;
            dp += dyPix;
          }
        }
        for (; c < c1; c++) {
          const off = <usize>c << 2;
          const wc = load<f32>(tap + off);
          let xp = start + off, dp = dyRow + off;
          for (let ox = lo; ox < hi; ox++) {
            store<f32>(xp, load<f32>(xp) + load<f32>(dp) * wc);
            xp += xStep;
            dp += dyPix;
          }
        }
      }
    }
  }
}

/**
 * Input gradient of a convolution (no dilation), scattered from each output pixel:
 *   dx[b, oy·sH − pT + fy, ox·sW − pL + fx, ci] += Σ_co W[fy, fx, ci, co] · dy[b, oy, ox, co].
 * `wt` holds W transposed per tap, [fy, fx, co, ci] (convGradSimd.ts writes it), so that 8 input
 * channels are one pair of loads; a register tile of 4 output pixels × 8 input channels runs over
 * the output channels: 2 loads of W and 4 broadcasts of dy feed 8 multiply-adds. This call computes
 * images [b0, b1) of the batch into a zeroed dx (threads split the batch: their writes never meet,
 * not even in one cache line, as a split by channels would have them).
 */
export function convInputGrad(
  dy: usize, wt: usize, dx: usize,
  B: i32, H: i32, W: i32, C: i32, OH: i32, OW: i32, CO: i32,
  KH: i32, KW: i32, SH: i32, SW: i32, PT: i32, PL: i32, b0: i32, b1: i32,
): void {
  const ci0 = 0, ci1 = C;
  const dyPix = <usize>CO << 2, dxStep = <usize>(SW * C) << 2;
  for (let r = b0 * OH; r < b1 * OH; r++) {
    for (let fy = 0; fy < KH; fy++) {
      const row = inputRow(dx, r, H, W, C, OH, SH, PT, fy);
      if (row == 0) continue;
      for (let fx = 0; fx < KW; fx++) {
        const lo = firstCol(SW, PL, fx), hi = endCol(SW, PL, fx, W, OW);
        if (lo >= hi) continue;
        const tap = wt + (<usize>((fy * KW + fx) * CO * C) << 2);
        let ox = lo;
        for (; ox + 4 <= hi; ox += 4) {
          const d = dy + (<usize>((r * OW + ox) * CO) << 2);
          const x = row + (<usize>((ox * SW - PL + fx) * C) << 2);
          inputTile4(d, tap, x, C, CO, ci0, ci1, dyPix, dxStep);
        }
        for (; ox < hi; ox++) {
          const d = dy + (<usize>((r * OW + ox) * CO) << 2);
          const x = row + (<usize>((ox * SW - PL + fx) * C) << 2);
          inputTile1(d, tap, x, C, CO, ci0, ci1);
        }
      }
    }
  }
}

/** 4 output pixels (dy rows d, d + dyPix, …; dx pixels x, x + dxStep, …) × input channels [ci0, ci1). */
function inputTile4(d: usize, tap: usize, x: usize, C: i32, CO: i32, ci0: i32, ci1: i32, dyPix: usize, dxStep: usize): void {
  const wRow = <usize>C << 2;
  let ci = ci0;
  for (; ci + 8 <= ci1; ci += 8) {
    let a00 = f32x4.splat(0), a01 = f32x4.splat(0), a10 = f32x4.splat(0), a11 = f32x4.splat(0);
    let a20 = f32x4.splat(0), a21 = f32x4.splat(0), a30 = f32x4.splat(0), a31 = f32x4.splat(0);
    let wp = tap + (<usize>ci << 2), dp = d;
    for (let co = 0; co < CO; co++) {
      const w0 = v128.load(wp), w1 = v128.load(wp, 16);
      let s = v128.load32_splat(dp);
      a00 = madd(s, w0, a00); a01 = madd(s, w1, a01);
      s = v128.load32_splat(dp + dyPix);
      a10 = madd(s, w0, a10); a11 = madd(s, w1, a11);
      s = v128.load32_splat(dp + 2 * dyPix);
      a20 = madd(s, w0, a20); a21 = madd(s, w1, a21);
      s = v128.load32_splat(dp + 3 * dyPix);
      a30 = madd(s, w0, a30); a31 = madd(s, w1, a31);
      wp += wRow;
      dp += 4;
    }
    const o = x + (<usize>ci << 2);
    v128.store(o, f32x4.add(v128.load(o), a00)); v128.store(o, f32x4.add(v128.load(o, 16), a01), 16);
    const o1 = o + dxStep;
    v128.store(o1, f32x4.add(v128.load(o1), a10)); v128.store(o1, f32x4.add(v128.load(o1, 16), a11), 16);
    const o2 = o1 + dxStep;
    v128.store(o2, f32x4.add(v128.load(o2), a20)); v128.store(o2, f32x4.add(v128.load(o2, 16), a21), 16);
    const o3 = o2 + dxStep;
    v128.store(o3, f32x4.add(v128.load(o3), a30)); v128.store(o3, f32x4.add(v128.load(o3, 16), a31), 16);
  }
  if (ci < ci1)
    for (let k: usize = 0; k < 4; k++) inputTail(d + k * dyPix, tap, x + k * dxStep, C, CO, ci, ci1);
}

function inputTile1(d: usize, tap: usize, x: usize, C: i32, CO: i32, ci0: i32, ci1: i32): void {
  const wRow = <usize>C << 2;
  let ci = ci0;
  for (; ci + 8 <= ci1; ci += 8) {
    let a0 = f32x4.splat(0), a1 = f32x4.splat(0);
    let wp = tap + (<usize>ci << 2), dp = d;
    for (let co = 0; co < CO; co++) {
      const s = v128.load32_splat(dp);
      a0 = madd(s, v128.load(wp), a0);
      a1 = madd(s, v128.load(wp, 16), a1);
      wp += wRow;
      dp += 4;
    }
    const o = x + (<usize>ci << 2);
    v128.store(o, f32x4.add(v128.load(o), a0));
    v128.store(o, f32x4.add(v128.load(o, 16), a1), 16);
  }
  if (ci < ci1) inputTail(d, tap, x, C, CO, ci, ci1);
}

/** Input channels [ci0, ci1), fewer than 8, of one pixel: 4 at a time, then one by one. */
function inputTail(d: usize, tap: usize, x: usize, C: i32, CO: i32, ci0: i32, ci1: i32): void {
  const wRow = <usize>C << 2;
  let ci = ci0;
  for (; ci + 4 <= ci1; ci += 4) {
    let a = f32x4.splat(0);
    let wp = tap + (<usize>ci << 2), dp = d;
    for (let co = 0; co < CO; co++) {
      a = madd(v128.load32_splat(dp), v128.load(wp), a);
      wp += wRow;
      dp += 4;
    }
    const o = x + (<usize>ci << 2);
    v128.store(o, f32x4.add(v128.load(o), a));
  }
  for (; ci < ci1; ci++) {
    let a: f32 = 0;
    let wp = tap + (<usize>ci << 2), dp = d;
    for (let co = 0; co < CO; co++) {
      a += load<f32>(dp) * load<f32>(wp);
      wp += wRow;
      dp += 4;
    }
    const o = x + (<usize>ci << 2);
    store<f32>(o, load<f32>(o) + a);
  }
}

/**
 * Forward convolution (no dilation):
 *   y[b, oy, ox, co] = Σ_{fy, fx, ci} x[b, oy·sH − pT + fy, ox·sW − pL + fx, ci] · W[fy, fx, ci, co].
 * Where every tap of 4 neighbouring output pixels lies inside the image, a register tile of 4 pixels
 * × 8 output channels runs over the taps and input channels — 2 loads of W and 4 broadcasts of x feed
 * 8 multiply-adds; the image's border pixels go one at a time, skipping the taps in the padding.
 * This call computes images [b0, b1) of the batch.
 */
export function convForward(
  x: usize, w: usize, y: usize,
  B: i32, H: i32, W: i32, C: i32, OH: i32, OW: i32, CO: i32,
  KH: i32, KW: i32, SH: i32, SW: i32, PT: i32, PL: i32, b0: i32, b1: i32,
): void {
  // Output columns whose every tap column is inside the image.
  const inLo = firstCol(SW, PL, 0), inHi = max(inLo, endCol(SW, PL, KW - 1, W, OW));
  for (let r = b0 * OH; r < b1 * OH; r++) {
    const b = r / OH, oy = r - b * OH;
    const out = y + (<usize>(r * OW * CO) << 2);
    const lo = min(inLo, OW), tiles = lo + ((inHi - lo) & ~3);
    for (let ox = 0; ox < lo; ox++) forwardChannels(x, w, out, b, oy, ox, 0, H, W, C, CO, KH, KW, SH, SW, PT, PL);
    // Output channels outside: one 8-channel slice of W stays in L1 while the row's tiles run over it.
    let co = 0;
    for (; co + 8 <= CO; co += 8)
      for (let ox = lo; ox < tiles; ox += 4) forwardTile4(x, w, out, b, oy, ox, co, H, W, C, CO, KH, KW, SH, SW, PT, PL);
    if (co < CO)
      for (let ox = lo; ox < tiles; ox++) forwardChannels(x, w, out, b, oy, ox, co, H, W, C, CO, KH, KW, SH, SW, PT, PL);
    for (let ox = tiles; ox < OW; ox++) forwardChannels(x, w, out, b, oy, ox, 0, H, W, C, CO, KH, KW, SH, SW, PT, PL);
  }
}

/** Output pixels ox … ox + 3 of row (b, oy), channels co … co + 7; all their taps' columns inside the image. */
function forwardTile4(
  x: usize, w: usize, out: usize, b: i32, oy: i32, ox: i32, co: i32,
  H: i32, W: i32, C: i32, CO: i32, KH: i32, KW: i32, SH: i32, SW: i32, PT: i32, PL: i32,
): void {
  const xStep = <usize>(SW * C) << 2, wRow = <usize>CO << 2, yPix = <usize>CO << 2;
  const yp = out + (<usize>(ox * CO) << 2);
  {
    let a00 = f32x4.splat(0), a01 = f32x4.splat(0), a10 = f32x4.splat(0), a11 = f32x4.splat(0);
    let a20 = f32x4.splat(0), a21 = f32x4.splat(0), a30 = f32x4.splat(0), a31 = f32x4.splat(0);
    for (let fy = 0; fy < KH; fy++) {
      const iy = oy * SH - PT + fy;
      if (iy < 0 || iy >= H) continue;
      for (let fx = 0; fx < KW; fx++) {
        let xp = x + (<usize>(((b * H + iy) * W + ox * SW - PL + fx) * C) << 2);
        let wp = w + (<usize>((fy * KW + fx) * C * CO + co) << 2);
        for (let ci = 0; ci < C; ci++) {
          const w0 = v128.load(wp), w1 = v128.load(wp, 16);
          let s = v128.load32_splat(xp);
          a00 = madd(s, w0, a00); a01 = madd(s, w1, a01);
          s = v128.load32_splat(xp + xStep);
          a10 = madd(s, w0, a10); a11 = madd(s, w1, a11);
          s = v128.load32_splat(xp + 2 * xStep);
          a20 = madd(s, w0, a20); a21 = madd(s, w1, a21);
          s = v128.load32_splat(xp + 3 * xStep);
          a30 = madd(s, w0, a30); a31 = madd(s, w1, a31);
          xp += 4;
          wp += wRow;
        }
      }
    }
    const o = yp + (<usize>co << 2);
    v128.store(o, a00); v128.store(o, a01, 16);
    v128.store(o + yPix, a10); v128.store(o + yPix, a11, 16);
    v128.store(o + 2 * yPix, a20); v128.store(o + 2 * yPix, a21, 16);
    v128.store(o + 3 * yPix, a30); v128.store(o + 3 * yPix, a31, 16);
  }
}

/** One output pixel, output channels [co0, CO): 8, then 4 at a time, then one by one; taps in the padding skipped. */
function forwardChannels(
  x: usize, w: usize, out: usize, b: i32, oy: i32, ox: i32, co0: i32,
  H: i32, W: i32, C: i32, CO: i32, KH: i32, KW: i32, SH: i32, SW: i32, PT: i32, PL: i32,
): void {
  const wRow = <usize>CO << 2;
  const yp = out + (<usize>(ox * CO) << 2);
  let co = co0;
  for (; co + 8 <= CO; co += 8) {
    let a0 = f32x4.splat(0), a1 = f32x4.splat(0);
    for (let fy = 0; fy < KH; fy++) {
      const iy = oy * SH - PT + fy;
      if (iy < 0 || iy >= H) continue;
      for (let fx = 0; fx < KW; fx++) {
        const ix = ox * SW - PL + fx;
        if (ix < 0 || ix >= W) continue;
        let xp = x + (<usize>(((b * H + iy) * W + ix) * C) << 2);
        let wp = w + (<usize>((fy * KW + fx) * C * CO + co) << 2);
        for (let ci = 0; ci < C; ci++) {
          const s = v128.load32_splat(xp);
          a0 = madd(s, v128.load(wp), a0);
          a1 = madd(s, v128.load(wp, 16), a1);
          xp += 4;
          wp += wRow;
        }
      }
    }
    v128.store(yp + (<usize>co << 2), a0);
    v128.store(yp + (<usize>co << 2), a1, 16);
  }
  for (; co + 4 <= CO; co += 4) {
    let a = f32x4.splat(0);
    for (let fy = 0; fy < KH; fy++) {
      const iy = oy * SH - PT + fy;
      if (iy < 0 || iy >= H) continue;
      for (let fx = 0; fx < KW; fx++) {
        const ix = ox * SW - PL + fx;
        if (ix < 0 || ix >= W) continue;
        let xp = x + (<usize>(((b * H + iy) * W + ix) * C) << 2);
        let wp = w + (<usize>((fy * KW + fx) * C * CO + co) << 2);
        for (let ci = 0; ci < C; ci++) {
          a = madd(v128.load32_splat(xp), v128.load(wp), a);
          xp += 4;
          wp += wRow;
        }
      }
    }
    v128.store(yp + (<usize>co << 2), a);
  }
  for (; co < CO; co++) {
    let a: f32 = 0;
    for (let fy = 0; fy < KH; fy++) {
      const iy = oy * SH - PT + fy;
      if (iy < 0 || iy >= H) continue;
      for (let fx = 0; fx < KW; fx++) {
        const ix = ox * SW - PL + fx;
        if (ix < 0 || ix >= W) continue;
        let xp = x + (<usize>(((b * H + iy) * W + ix) * C) << 2);
        let wp = w + (<usize>((fy * KW + fx) * C * CO + co) << 2);
        for (let ci = 0; ci < C; ci++) {
          a += load<f32>(xp) * load<f32>(wp);
          xp += 4;
          wp += wRow;
        }
      }
    }
    store<f32>(yp + (<usize>co << 2), a);
  }
}
