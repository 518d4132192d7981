// AssemblyScript, compiled through kernels.as.ts (which says what every kernel may and may not
// do): the forward convolution.
import { madd, firstCol, endCol } from './convShared.as';

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
