// AssemblyScript, compiled through kernels.as.ts (which says what every kernel may and may not
// do): the filter and input gradients of a depthwise convolution.
import { madd, firstCol, endCol, inputRow } from './convShared.as';

// Output pixels per block of the depthwise filter gradient: a block's x and dy rows stay in cache
// while every tap runs over them, and its accumulators are loaded and stored once per block.
const BLOCK_PIXELS: i32 = 256;

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
        let c = 0;
        for (; c + 8 <= C; c += 8) {
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
        for (; c < C; c++) {
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
