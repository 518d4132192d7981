// AssemblyScript, compiled through kernels.as.ts (which says what every kernel may and may not
// do): the input gradient of a convolution.
import { madd, firstCol, endCol, inputRow } from './convShared.as';

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
          inputTile4(d, tap, x, C, CO, dyPix, dxStep);
        }
        for (; ox < hi; ox++) {
          const d = dy + (<usize>((r * OW + ox) * CO) << 2);
          const x = row + (<usize>((ox * SW - PL + fx) * C) << 2);
          inputTile1(d, tap, x, C, CO);
        }
      }
    }
  }
}

/** 4 output pixels (dy rows d, d + dyPix, …; dx pixels x, x + dxStep, …) × every input channel. */
function inputTile4(d: usize, tap: usize, x: usize, C: i32, CO: i32, dyPix: usize, dxStep: usize): void {
  const wRow = <usize>C << 2;
  let ci = 0;
  for (; ci + 8 <= C; ci += 8) {
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
  if (ci < C)
    for (let k: usize = 0; k < 4; k++) inputTail(d + k * dyPix, tap, x + k * dxStep, C, CO, ci);
}

/** One output pixel × every input channel. */
function inputTile1(d: usize, tap: usize, x: usize, C: i32, CO: i32): void {
  const wRow = <usize>C << 2;
  let ci = 0;
  for (; ci + 8 <= C; ci += 8) {
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
  if (ci < C) inputTail(d, tap, x, C, CO, ci);
}

/** Input channels [ci0, C), fewer than 8, of one pixel: 4 at a time, then one by one. */
function inputTail(d: usize, tap: usize, x: usize, C: i32, CO: i32, ci0: i32): void {
  const wRow = <usize>C << 2;
  let ci = ci0;
  for (; ci + 4 <= C; ci += 4) {
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
  for (; ci < C; ci++) {
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
