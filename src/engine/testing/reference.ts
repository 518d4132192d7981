/**
 * Float64 references for the losses, written as plain loops over number[][] — deliberately unlike
 * the tfjs code (no broadcasting, no log-softmax trick shared with it) — for the unit tests.
 */

type M = number[][];

export function logSoftmaxRow(z: number[]): number[] {
  let max = -Infinity;
  for (const v of z) max = Math.max(max, v);
  let s = 0;
  for (const v of z) s += Math.exp(v - max);
  const lse = max + Math.log(s);
  return z.map((v) => v - lse);
}

export function refCE(z: M, y: number[]): number {
  let s = 0;
  for (let i = 0; i < z.length; i++) s -= logSoftmaxRow(z[i])[y[i]];
  return s / z.length;
}

export function refKD(zs: M, zt: M, T: number): number {
  let s = 0;
  for (let i = 0; i < zs.length; i++) {
    const ls = logSoftmaxRow(zs[i].map((v) => v / T));
    const lt = logSoftmaxRow(zt[i].map((v) => v / T));
    for (let k = 0; k < ls.length; k++) s += Math.exp(lt[k]) * (lt[k] - ls[k]);
  }
  return (T * T * s) / zs.length;
}

function dist(a: number[], b: number[]): number {
  let s = 0;
  for (let d = 0; d < a.length; d++) s += (a[d] - b[d]) ** 2;
  return Math.sqrt(s);
}

function huber(x: number): number {
  const a = Math.abs(x);
  return a < 1 ? 0.5 * x * x : a - 0.5;
}

function potentials(e: M): M {
  const b = e.length;
  const d: M = [];
  let sum = 0;
  let count = 0;
  for (let i = 0; i < b; i++) {
    d.push([]);
    for (let j = 0; j < b; j++) {
      const v = i === j ? 0 : dist(e[i], e[j]);
      d[i].push(v);
      if (v > 0) {
        sum += v;
        count++;
      }
    }
  }
  const mu = sum / count;
  return d.map((row) => row.map((v) => v / mu));
}

export function refRkdDistance(es: M, et: M): number {
  const ps = potentials(es);
  const pt = potentials(et);
  const b = es.length;
  let s = 0;
  for (let i = 0; i < b; i++) for (let j = 0; j < b; j++) if (i !== j) s += huber(ps[i][j] - pt[i][j]);
  return s / (b * (b - 1));
}

function cosAngle(e: M, i: number, j: number, k: number): number {
  const u = e[i].map((v, d) => v - e[j][d]);
  const w = e[k].map((v, d) => v - e[j][d]);
  const nu = Math.hypot(...u);
  const nw = Math.hypot(...w);
  let dot = 0;
  for (let d = 0; d < u.length; d++) dot += u[d] * w[d];
  return dot / (nu * nw);
}

export function refRkdAngle(es: M, et: M): number {
  const b = es.length;
  let s = 0;
  for (let j = 0; j < b; j++)
    for (let i = 0; i < b; i++)
      for (let k = 0; k < b; k++) {
        if (i === j || k === j) continue;
        s += huber(cosAngle(es, i, j, k) - cosAngle(et, i, j, k));
      }
  return s / (b * (b - 1) * (b - 1));
}

export function refND(fs: M, ft: M, classMeans: M, y: number[]): number {
  let s = 0;
  for (let i = 0; i < fs.length; i++) {
    const c = classMeans[y[i]];
    const nc = Math.hypot(...c);
    let dot = 0;
    for (let d = 0; d < c.length; d++) dot += fs[i][d] * (c[d] / nc);
    s += 1 - dot / Math.max(Math.hypot(...fs[i]), Math.hypot(...ft[i]));
  }
  return s / fs.length;
}

/** DKD written from the paper's definitions: binary KL on (target, rest) and KL on renormalised non-targets. */
export function refDKD(zs: M, zt: M, y: number[], T: number): { tckd: number; nckd: number } {
  let tckd = 0;
  let nckd = 0;
  for (let i = 0; i < zs.length; i++) {
    const ps = logSoftmaxRow(zs[i].map((v) => v / T)).map(Math.exp);
    const pt = logSoftmaxRow(zt[i].map((v) => v / T)).map(Math.exp);
    const bs = [ps[y[i]], 1 - ps[y[i]]];
    const bt = [pt[y[i]], 1 - pt[y[i]]];
    for (let k = 0; k < 2; k++) tckd += bt[k] * Math.log(bt[k] / bs[k]);
    const restS = 1 - ps[y[i]];
    const restT = 1 - pt[y[i]];
    for (let k = 0; k < ps.length; k++) {
      if (k === y[i]) continue;
      const qs = ps[k] / restS;
      const qt = pt[k] / restT;
      nckd += qt * Math.log(qt / qs);
    }
  }
  return { tckd: (T * T * tckd) / zs.length, nckd: (T * T * nckd) / zs.length };
}

/** Seeded uniform matrix in [lo, hi). */
export function randomMatrix(rows: number, cols: number, seed: number, lo = -2, hi = 2): M {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => lo + (hi - lo) * next()));
}

/** Central finite-difference gradient of a float64 function of a matrix. */
export function numericGradient(f: (m: M) => number, m: M, h = 1e-5): M {
  return m.map((row, i) =>
    row.map((_, j) => {
      const plus = m.map((r) => r.slice());
      const minus = m.map((r) => r.slice());
      plus[i][j] += h;
      minus[i][j] -= h;
      return (f(plus) - f(minus)) / (2 * h);
    }),
  );
}

/**
 * RKD as RepDistiller computes it where rows coincide, in float64: a pair whose squared distance is
 * below 1e-12 keeps the clamped distance 1e-6 and an angle with a zero-length side is 0 — and for a
 * gradient, those entries are held (the clamp passes none): `held` names the pairs "i,j" (i < j) found
 * degenerate on the unperturbed input, so finite differences see the same function the reference differentiates.
 */
export function refRkdHeld(es: M, et: M, heldS: Set<string>, heldT: Set<string>): { distance: number; angle: number } {
  const b = es.length;
  const isHeld = (held: Set<string>, i: number, j: number) => held.has(i < j ? `${i},${j}` : `${j},${i}`);
  const pot = (e: M, held: Set<string>) => {
    const d = e.map((_, i) => e.map((__, j) => (i === j ? 0 : isHeld(held, i, j) ? 1e-6 : dist(e[i], e[j]))));
    const flat = d.flat().filter((v) => v > 0);
    const mu = flat.reduce((s, v) => s + v, 0) / flat.length;
    return d.map((row) => row.map((v) => v / mu));
  };
  const ps = pot(es, heldS);
  const pt = pot(et, heldT);
  let distance = 0;
  for (let i = 0; i < b; i++) for (let j = 0; j < b; j++) if (i !== j) distance += huber(ps[i][j] - pt[i][j]);
  const cos = (e: M, held: Set<string>, i: number, j: number, k: number) =>
    isHeld(held, i, j) || isHeld(held, k, j) ? 0 : cosAngle(e, i, j, k);
  let angle = 0;
  for (let j = 0; j < b; j++)
    for (let i = 0; i < b; i++)
      for (let k = 0; k < b; k++) {
        if (i === j || k === j) continue;
        angle += huber(cos(es, heldS, i, j, k) - cos(et, heldT, i, j, k));
      }
  return { distance: distance / (b * (b - 1)), angle: angle / (b * (b - 1) * (b - 1)) };
}

/** The pairs "i,j" (i < j) of rows closer than 1e-6: where RKD's clamps act. */
export function coincidentPairs(e: M): Set<string> {
  const out = new Set<string>();
  for (let i = 0; i < e.length; i++)
    for (let j = i + 1; j < e.length; j++) if (dist(e[i], e[j]) < 1e-6) out.add(`${i},${j}`);
  return out;
}
