// AssemblyScript, compiled through kernels.as.ts (which says what every kernel may and may not
// do): one Adam update of a variable, in one pass instead of tfjs's fourteen element-wise ops. It does
// the very operations of tfjs 4.22's AdamOptimizer, in its order, each rounded as there (no fused
// multiply-add even in the relaxed build), so the two give the same bits.

/**
 * For elements [i0, i1):
 *   m' = m·β1 + g·(1 − β1)        v' = v·β2 + g²·(1 − β2)
 *   w' = (m'/c1) / (√(v'/c2) + ε) · (−lr) + w       (c1 = 1 − β1^t, c2 = 1 − β2^t)
 */
export function adamUpdate(
  w: usize, m: usize, v: usize, g: usize, wOut: usize, mOut: usize, vOut: usize,
  beta1: f32, oneMinusBeta1: f32, beta2: f32, oneMinusBeta2: f32, c1: f32, c2: f32, epsilon: f32, negLr: f32,
  i0: i32, i1: i32,
): void {
  const b1 = f32x4.splat(beta1), nb1 = f32x4.splat(oneMinusBeta1), b2 = f32x4.splat(beta2);
  const nb2 = f32x4.splat(oneMinusBeta2), k1 = f32x4.splat(c1), k2 = f32x4.splat(c2);
  const eps = f32x4.splat(epsilon), step = f32x4.splat(negLr);
  let i = i0;
  for (; i + 4 <= i1; i += 4) {
    const o = <usize>i << 2;
    const gv = v128.load(g + o);
    const m1 = f32x4.add(f32x4.mul(v128.load(m + o), b1), f32x4.mul(gv, nb1));
    const v1 = f32x4.add(f32x4.mul(v128.load(v + o), b2), f32x4.mul(f32x4.mul(gv, gv), nb2));
    const denom = f32x4.add(f32x4.sqrt(f32x4.div(v1, k2)), eps);
    v128.store(wOut + o, f32x4.add(f32x4.mul(f32x4.div(f32x4.div(m1, k1), denom), step), v128.load(w + o)));
    v128.store(mOut + o, m1);
    v128.store(vOut + o, v1);
  }
  for (; i < i1; i++) {
    const o = <usize>i << 2;
    const gs = load<f32>(g + o);
    const m1 = load<f32>(m + o) * beta1 + gs * oneMinusBeta1;
    const v1 = load<f32>(v + o) * beta2 + gs * gs * oneMinusBeta2;
    const denom = sqrt<f32>(v1 / c2) + epsilon;
    store<f32>(wOut + o, (m1 / c1 / denom) * negLr + load<f32>(w + o));
    store<f32>(mOut + o, m1);
    store<f32>(vOut + o, v1);
  }
}
