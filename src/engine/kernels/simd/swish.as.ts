// AssemblyScript, compiled through kernels.as.ts (which says what every kernel may and may not
// do): swish, x·σ(x), and its gradient, one pass over the data each. Element-wise, so any layout;
// the calls take elements [i0, i1) of the n their caller splits between threads.
import { madd } from './convShared.as';

/**
 * e^x for x ≤ 0 (larger x is not asked for), 4 lanes: Cephes' expf — x = n·ln 2 + r with ln 2 split
 * in two (Cody–Waite), e^r from a degree-6 polynomial (about 1 ulp), 2^n put into the exponent bits.
 * Below −87 (e^x then under float's smallest normal) the result is e^−87, which sigmoid turns into 0.
 */
@inline
function expNonPositive(x: v128): v128 {
  x = f32x4.max(x, f32x4.splat(-87.0));
  const n = f32x4.nearest(f32x4.mul(x, f32x4.splat(1.44269504088896341)));
  let r = f32x4.sub(x, f32x4.mul(n, f32x4.splat(0.693359375)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(-2.12194440e-4)));
  let p = madd(f32x4.splat(1.9875691500e-4), r, f32x4.splat(1.3981999507e-3));
  p = madd(p, r, f32x4.splat(8.3334519073e-3));
  p = madd(p, r, f32x4.splat(4.1665795894e-2));
  p = madd(p, r, f32x4.splat(1.6666665459e-1));
  p = madd(p, r, f32x4.splat(5.0000001201e-1));
  p = f32x4.add(madd(p, f32x4.mul(r, r), r), f32x4.splat(1.0));
  const scale = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(n), i32x4.splat(127)), 23);
  return f32x4.mul(p, scale);
}

/**
 * σ(x) (`pos`) and σ(−x) = 1 − σ(x) (`neg`), both from e = e^−|x| (never overflows): σ(|x|) = 1/(1 + e),
 * σ(−|x|) = e/(1 + e). Taking 1 − σ(x) from its own formula keeps it exact where σ(x) is near 1.
 */
@inline
function sigmoidPos(x: v128, big: v128, small: v128): v128 {
  return v128.bitselect(big, small, f32x4.ge(x, f32x4.splat(0)));
}

@inline
function sigmoidNeg(x: v128, big: v128, small: v128): v128 {
  return v128.bitselect(small, big, f32x4.ge(x, f32x4.splat(0)));
}

@inline
function sigmoidBig(e: v128): v128 {
  return f32x4.div(f32x4.splat(1.0), f32x4.add(f32x4.splat(1.0), e));
}

@inline
function expNegAbs(x: v128): v128 {
  return expNonPositive(f32x4.neg(f32x4.abs(x)));
}

/** The last up-to-3 elements, through a zero-padded 4-lane slot (stack). */
@inline
function loadTail(p: usize, k: i32): v128 {
  let v = f32x4.splat(0);
  if (k > 0) v = f32x4.replace_lane(v, 0, load<f32>(p));
  if (k > 1) v = f32x4.replace_lane(v, 1, load<f32>(p, 4));
  if (k > 2) v = f32x4.replace_lane(v, 2, load<f32>(p, 8));
  return v;
}

@inline
function storeTail(p: usize, v: v128, k: i32): void {
  if (k > 0) store<f32>(p, f32x4.extract_lane(v, 0));
  if (k > 1) store<f32>(p, f32x4.extract_lane(v, 1), 4);
  if (k > 2) store<f32>(p, f32x4.extract_lane(v, 2), 8);
}

@inline
function swish4(v: v128): v128 {
  const e = expNegAbs(v);
  const big = sigmoidBig(e);
  return f32x4.mul(v, sigmoidPos(v, big, f32x4.mul(e, big)));
}

@inline
function swishGrad4(v: v128, g: v128): v128 {
  const e = expNegAbs(v);
  const big = sigmoidBig(e), small = f32x4.mul(e, big);
  const d = madd(v, sigmoidNeg(v, big, small), f32x4.splat(1.0));
  return f32x4.mul(f32x4.mul(g, sigmoidPos(v, big, small)), d);
}

/** y = x·σ(x) for elements [i0, i1). */
export function swishForward(x: usize, y: usize, i0: i32, i1: i32): void {
  let i = i0;
  for (; i + 4 <= i1; i += 4) {
    const off = <usize>i << 2;
    v128.store(y + off, swish4(v128.load(x + off)));
  }
  if (i < i1) {
    const off = <usize>i << 2, k = i1 - i;
    storeTail(y + off, swish4(loadTail(x + off, k)), k);
  }
}

/** dx = dy·σ(x)·(1 + x·σ(−x)), the derivative of x·σ(x), for elements [i0, i1). */
export function swishBackward(x: usize, dy: usize, dx: usize, i0: i32, i1: i32): void {
  let i = i0;
  for (; i + 4 <= i1; i += 4) {
    const off = <usize>i << 2;
    v128.store(dx + off, swishGrad4(v128.load(x + off), v128.load(dy + off)));
  }
  if (i < i1) {
    const off = <usize>i << 2, k = i1 - i;
    storeTail(dx + off, swishGrad4(loadTail(x + off, k), loadTail(dy + off, k)), k);
  }
}
