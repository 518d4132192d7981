/**
 * The noise floor of a disparity: |recall(c | group 0) − recall(c | group 1)| is above zero on a
 * finite test set even for a model whose recall is the same in both groups. Its expectation under
 * that hypothesis — both groups with the class's pooled recall p, test cells of n0 and n1 examples —
 * is E|X0/n0 − X1/n1| with X_g ~ Binomial(n_g, p), computed here exactly by summing over the
 * binomial outcomes (no simulation). Pure functions, memoised by (n0, n1, hits).
 */

const logFactorials: number[] = [0];

function logFactorial(n: number): number {
  for (let k = logFactorials.length; k <= n; k++) logFactorials.push(logFactorials[k - 1] + Math.log(k));
  return logFactorials[n];
}

/** P(X = k) for X ~ Binomial(n, p), k = 0…n, in log space so large cells neither underflow nor overflow. */
export function binomialPmf(n: number, p: number): Float64Array {
  const out = new Float64Array(n + 1);
  if (p <= 0) out[0] = 1;
  else if (p >= 1) out[n] = 1;
  else {
    const lp = Math.log(p);
    const lq = Math.log1p(-p);
    const lfn = logFactorial(n);
    for (let k = 0; k <= n; k++) out[k] = Math.exp(lfn - logFactorial(k) - logFactorial(n - k) + k * lp + (n - k) * lq);
  }
  return out;
}

const memo = new Map<string, number>();

/**
 * E|X0/n0 − X1/n1| when both groups have recall p = hits/(n0 + n1): the |disparity| a class shows
 * from sampling alone. `hits` is the class's correct predictions over both groups.
 */
export function expectedAbsGap(n0: number, n1: number, hits: number): number {
  if (n0 <= 0 || n1 <= 0) throw new Error('Both groups need at least one example of the class.');
  const key = `${n0},${n1},${hits}`;
  const known = memo.get(key);
  if (known !== undefined) return known;
  const p = hits / (n0 + n1);
  const a = binomialPmf(n0, p);
  const b = binomialPmf(n1, p);
  let e = 0;
  for (let k0 = 0; k0 <= n0; k0++) {
    if (a[k0] < 1e-300) continue;
    let inner = 0;
    for (let k1 = 0; k1 <= n1; k1++) inner += b[k1] * Math.abs(k0 / n0 - k1 / n1);
    e += a[k0] * inner;
  }
  if (memo.size > 200_000) memo.clear();
  memo.set(key, e);
  return e;
}

/** Per class: its floor from its test cells and pooled hits, null where a group has no example of the class. */
export function classFloors(support: number[][], hits: number[][]): (number | null)[] {
  return support.map(([n0, n1], c) => (n0 > 0 && n1 > 0 ? expectedAbsGap(n0, n1, hits[c][0] + hits[c][1]) : null));
}
