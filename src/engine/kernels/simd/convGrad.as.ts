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

// Output pixels per block: a block's x and dy rows stay in cache while every filter tile runs
// over them, and its accumulators are loaded and stored once per block.
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
 * Per block of output rows and per tap, a register tile of 4 input × 8 output channels accumulates
 * over the block's pixels: 2 loads of dy and 4 broadcasts of x feed 8 multiply-adds. This call
 * computes output channels [co0, co1).
 */
export function convFilterGrad(
  x: usize, dy: usize, dw: usize,
  B: i32, H: i32, W: i32, C: i32, OH: i32, OW: i32, CO: i32,
  KH: i32, KW: i32, SH: i32, SW: i32, PT: i32, PL: i32, co0: i32, co1: i32,
): void {
  const rows = B * OH;
  let rowsPerBlock = BLOCK_PIXELS / OW;
  if (rowsPerBlock < 1) rowsPerBlock = 1;
  const xPix = <usize>C << 2, xStep = <usize>(SW * C) << 2, dyPix = <usize>CO << 2;
  for (let r0 = 0; r0 < rows; r0 += rowsPerBlock) {
    const r1 = min(r0 + rowsPerBlock, rows);
    for (let fy = 0; fy < KH; fy++) {
      for (let fx = 0; fx < KW; fx++) {
        const lo = firstCol(SW, PL, fx), hi = endCol(SW, PL, fx, W, OW);
        if (lo >= hi) continue;
        const tap = dw + (<usize>((fy * KW + fx) * C * CO) << 2);
        let ci = 0;
        for (; ci + 4 <= C; ci += 4) tile4(x, dy, tap, ci, co0, co1, r0, r1, H, W, C, OH, OW, CO, SH, SW, PT, PL, fy, fx, lo, hi, xPix, xStep, dyPix);
        for (; ci < C; ci++) tile1(x, dy, tap, ci, co0, co1, r0, r1, H, W, C, OH, OW, CO, SH, SW, PT, PL, fy, fx, lo, hi, xStep, dyPix);
      }
    }
  }
}

/** Input row address of output row r at tap row fy, or 0 when the tap falls in the padding. */
@inline
function inputRow(x: usize, r: i32, H: i32, W: i32, C: i32, OH: i32, SH: i32, PT: i32, fy: i32): usize {
  const b = r / OH, oy = r - b * OH;
  const iy = oy * SH - PT + fy;
  if (iy < 0 || iy >= H) return 0;
  return x + (<usize>((b * H + iy) * W * C) << 2);
}

function tile4(
  x: usize, dy: usize, tap: usize, ci: i32, co0: i32, co1: i32, r0: i32, r1: i32,
  H: i32, W: i32, C: i32, OH: i32, OW: i32, CO: i32, SH: i32, SW: i32, PT: i32, PL: i32,
  fy: i32, fx: i32, lo: i32, hi: i32, xPix: usize, xStep: usize, dyPix: usize,
): void {
  const rowOut = <usize>CO << 2;
  let co = co0;
  for (; co + 8 <= co1; co += 8) {
    const out = tap + (<usize>(ci * CO + co) << 2);
    let a00 = v128.load(out), a01 = v128.load(out, 16);
    let a10 = v128.load(out + rowOut), a11 = v128.load(out + rowOut, 16);
    let a20 = v128.load(out + 2 * rowOut), a21 = v128.load(out + 2 * rowOut, 16);
    let a30 = v128.load(out + 3 * rowOut), a31 = v128.load(out + 3 * rowOut, 16);
    for (let r = r0; r < r1; r++) {
      const row = inputRow(x, r, H, W, C, OH, SH, PT, fy);
      if (row == 0) continue;
      let xp = row + (<usize>((lo * SW - PL + fx) * C + ci) << 2);
      let dp = dy + (<usize>((r * OW + lo) * CO + co) << 2);
      for (let ox = lo; ox < hi; ox++) {
        const d0 = v128.load(dp), d1 = v128.load(dp, 16);
        let s = v128.load32_splat(xp);
        a00 = madd(s, d0, a00); a01 = madd(s, d1, a01);
        s = v128.load32_splat(xp, 4);
        a10 = madd(s, d0, a10); a11 = madd(s, d1, a11);
        s = v128.load32_splat(xp, 8);
        a20 = madd(s, d0, a20); a21 = madd(s, d1, a21);
        s = v128.load32_splat(xp, 12);
        a30 = madd(s, d0, a30); a31 = madd(s, d1, a31);
        xp += xStep;
        dp += dyPix;
      }
    }
    v128.store(out, a00); v128.store(out, a01, 16);
    v128.store(out + rowOut, a10); v128.store(out + rowOut, a11, 16);
    v128.store(out + 2 * rowOut, a20); v128.store(out + 2 * rowOut, a21, 16);
    v128.store(out + 3 * rowOut, a30); v128.store(out + 3 * rowOut, a31, 16);
  }
  for (let i = 0; i < 4; i++) tailColumns(x, dy, tap, ci + i, co, co1, r0, r1, H, W, C, OH, OW, CO, SH, SW, PT, PL, fy, fx, lo, hi, xStep, dyPix);
}

/** One input channel against 8 output channels at a time. */
function tile1(
  x: usize, dy: usize, tap: usize, ci: i32, co0: i32, co1: i32, r0: i32, r1: i32,
  H: i32, W: i32, C: i32, OH: i32, OW: i32, CO: i32, SH: i32, SW: i32, PT: i32, PL: i32,
  fy: i32, fx: i32, lo: i32, hi: i32, xStep: usize, dyPix: usize,
): void {
  let co = co0;
  for (; co + 8 <= co1; co += 8) {
    const out = tap + (<usize>(ci * CO + co) << 2);
    let a0 = v128.load(out), a1 = v128.load(out, 16);
    for (let r = r0; r < r1; r++) {
      const row = inputRow(x, r, H, W, C, OH, SH, PT, fy);
      if (row == 0) continue;
      let xp = row + (<usize>((lo * SW - PL + fx) * C + ci) << 2);
      let dp = dy + (<usize>((r * OW + lo) * CO + co) << 2);
      for (let ox = lo; ox < hi; ox++) {
        const s = v128.load32_splat(xp);
        a0 = madd(s, v128.load(dp), a0);
        a1 = madd(s, v128.load(dp, 16), a1);
        xp += xStep;
        dp += dyPix;
      }
    }
    v128.store(out, a0);
    v128.store(out, a1, 16);
  }
  tailColumns(x, dy, tap, ci, co, co1, r0, r1, H, W, C, OH, OW, CO, SH, SW, PT, PL, fy, fx, lo, hi, xStep, dyPix);
}

/** Output channels from `co0` to `co1` (fewer than 8): 4 at a time, then one by one. */
function tailColumns(
  x: usize, dy: usize, tap: usize, ci: i32, co0: i32, co1: i32, r0: i32, r1: i32,
  H: i32, W: i32, C: i32, OH: i32, OW: i32, CO: i32, SH: i32, SW: i32, PT: i32, PL: i32,
  fy: i32, fx: i32, lo: i32, hi: i32, xStep: usize, dyPix: usize,
): void {
  let co = co0;
  for (; co + 4 <= co1; co += 4) {
    const out = tap + (<usize>(ci * CO + co) << 2);
    let a = v128.load(out);
    for (let r = r0; r < r1; r++) {
      const row = inputRow(x, r, H, W, C, OH, SH, PT, fy);
      if (row == 0) continue;
      let xp = row + (<usize>((lo * SW - PL + fx) * C + ci) << 2);
      let dp = dy + (<usize>((r * OW + lo) * CO + co) << 2);
      for (let ox = lo; ox < hi; ox++) {
        a = madd(v128.load32_splat(xp), v128.load(dp), a);
        xp += xStep;
        dp += dyPix;
      }
    }
    v128.store(out, a);
  }
  for (; co < co1; co++) {
    const out = tap + (<usize>(ci * CO + co) << 2);
    let a = load<f32>(out);
    for (let r = r0; r < r1; r++) {
      const row = inputRow(x, r, H, W, C, OH, SH, PT, fy);
      if (row == 0) continue;
      let xp = row + (<usize>((lo * SW - PL + fx) * C + ci) << 2);
      let dp = dy + (<usize>((r * OW + lo) * CO + co) << 2);
      for (let ox = lo; ox < hi; ox++) {
        a += load<f32>(xp) * load<f32>(dp);
        xp += xStep;
        dp += dyPix;
      }
    }
    store<f32>(out, a);
  }
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
 * computes channels [c0, c1).
 */
export function depthwiseInputGrad(
  dy: usize, w: usize, dx: usize,
  B: i32, H: i32, W: i32, C: i32, OH: i32, OW: i32,
  KH: i32, KW: i32, SH: i32, SW: i32, PT: i32, PL: i32, c0: i32, c1: i32,
): void {
  const rows = B * OH;
  const xStep = <usize>(SW * C) << 2, dyPix = <usize>C << 2;
  for (let r = 0; r < rows; r++) {
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
 * input channels [ci0, ci1) into a zeroed dx.
 */
export function convInputGrad(
  dy: usize, wt: usize, dx: usize,
  B: i32, H: i32, W: i32, C: i32, OH: i32, OW: i32, CO: i32,
  KH: i32, KW: i32, SH: i32, SW: i32, PT: i32, PL: i32, ci0: i32, ci1: i32,
): void {
  const rows = B * OH;
  const dyPix = <usize>CO << 2, dxStep = <usize>(SW * C) << 2;
  for (let r = 0; r < rows; r++) {
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
