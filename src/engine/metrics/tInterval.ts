/** Student's t quantiles for a two-sided 95% interval, degrees of freedom 1–10 (tables); above, a series. */
const T975 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228];

/** The 0.975 quantile of Student's t with `df` degrees of freedom (Cornish–Fisher series above 10: error < 1e-3). */
export function t975(df: number): number {
  if (df < 1) return NaN;
  if (df <= T975.length) return T975[df - 1];
  const z = 1.959964;
  return z + (z ** 3 + z) / (4 * df) + (5 * z ** 5 + 16 * z ** 3 + 3 * z) / (96 * df * df);
}

export interface SeedSummary {
  mean: number;
  /** Sample standard deviation over the seeds (0 for one). */
  sd: number;
  n: number;
  /** mean ± t(0.975, n−1)·sd/√n; null for a single seed. */
  interval: [number, number] | null;
}

/** Mean over seeds with its 95% t-interval. */
export function seedSummary(values: number[]): SeedSummary {
  const n = values.length;
  const mean = values.reduce((s, v) => s + v, 0) / n;
  const sd = n > 1 ? Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1)) : 0;
  const half = n > 1 ? (t975(n - 1) * sd) / Math.sqrt(n) : NaN;
  return { mean, sd, n, interval: n > 1 ? [mean - half, mean + half] : null };
}
