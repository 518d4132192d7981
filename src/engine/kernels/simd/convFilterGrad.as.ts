// AssemblyScript, compiled through kernels.as.ts (which says what every kernel may and may not
// do): the filter gradient of a convolution.
import { madd } from './convShared.as';

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
  const filterBytes = <usize>(KH * KW * C * CO) << 2;
  memory.fill(dw, 0, filterBytes);
  const scratch = dw + filterBytes;
  const im2col = C < 8;
  const K = im2col ? KH * KW * C : C;
  const ciTiles = (K + 3) >> 2, coTiles = (CO + 7) >> 3;
  const xPanels = scratch, dyPanels = scratch + (<usize>(ciTiles * 4 * P) << 2);
  for (let p0 = q0; p0 < q1; p0 += P) {
    const n = min(P, q1 - p0);
    packDy(dy, dyPanels, p0, n, CO, coTiles);
    if (im2col) {
      const width = ciTiles * 4;
      packIm2col(x, xPanels, p0, n, H, W, C, OH, OW, SH, SW, PT, PL, KH, KW, width);
      for (let t = 0; t < coTiles; t++) {
        const dp = dyPanels + (<usize>(t * 8 * n) << 2);
        for (let u = 0; u < ciTiles; u++)
          tile4x8(xPanels + (<usize>(u * 4) << 2), <usize>width << 2, dp, n, dw, u * 4, t * 8, K, CO);
      }
      continue;
    }
    for (let fy = 0; fy < KH; fy++) {
      for (let fx = 0; fx < KW; fx++) {
        packX(x, xPanels, p0, n, H, W, C, OH, OW, SH, SW, PT, PL, fy, fx, ciTiles);
        const tap = dw + (<usize>((fy * KW + fx) * C * CO) << 2);
        for (let t = 0; t < coTiles; t++) {
          const dp = dyPanels + (<usize>(t * 8 * n) << 2);
          for (let u = 0; u < ciTiles; u++)
            tile4x8(xPanels + (<usize>(u * 4 * n) << 2), 16, dp, n, tap, u * 4, t * 8, C, CO);
        }
      }
    }
  }
}

/** dy[p0 … p0 + n) as panels of 8 channels, [tile][pixel][8], zero-padded past CO. */
function packDy(dy: usize, out: usize, p0: i32, n: i32, CO: i32, tiles: i32): void {
  for (let t = 0; t < tiles; t++) {
    const c = t * 8;
    const panel = out + (<usize>(t * 8 * n) << 2);
    if (c + 8 <= CO) {
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
        for (let j = 0; j < 8; j++) store<f32>(dst + (<usize>j << 2), c + j < CO ? load<f32>(src + (<usize>(c + j) << 2)) : 0);
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
 * CO is written.
 */
function tile4x8(xp: usize, xStride: usize, dp: usize, n: i32, tap: usize, ci: i32, co: i32, C: i32, CO: i32): void {
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
  if (ci + 4 <= C && co + 8 <= CO) {
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
  addLanes(out, a00, a01, min(8, CO - co), 1 <= C - ci);
  addLanes(out + row, a10, a11, min(8, CO - co), 2 <= C - ci);
  addLanes(out + 2 * row, a20, a21, min(8, CO - co), 3 <= C - ci);
  addLanes(out + 3 * row, a30, a31, min(8, CO - co), 4 <= C - ci);
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
