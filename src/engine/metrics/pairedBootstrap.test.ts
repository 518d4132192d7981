import { describe, expect, it } from 'vitest';
import { createRng } from '../random';
import type { ModelResult } from '../types';
import { pairedIntervals } from './comparisons';
import { fairnessMetrics } from './fairness';
import { difference, forEachResample, percentileInterval, relativeChange, resampleFigures } from './pairedBootstrap';
import { seedSummary, t975 } from './tInterval';

/** Predictions of a model with the given recall per (class, group), on cells of n examples each. */
function simulated(rng: () => number, K: number, n: number, recall: number[][]) {
  const labels: number[] = [];
  const groups: number[] = [];
  const preds: number[] = [];
  for (let c = 0; c < K; c++)
    for (let g = 0; g < 2; g++)
      for (let i = 0; i < n; i++) {
        labels.push(c);
        groups.push(g);
        preds.push(rng() < recall[c][g] ? c : (c + 1 + Math.floor(rng() * (K - 1))) % K);
      }
  return { labels, groups, preds };
}

const covers = (i: [number, number] | null) => i !== null && i[0] <= 0 && i[1] >= 0;

describe('paired, stratified bootstrap', () => {
  const labels = [0, 0, 0, 1, 1, 1, 1, 2, 2, 0, 1];
  const groups = [0, 0, 1, 0, 1, 1, -1, 0, 1, 1, 0];

  it('keeps every class × group cell at its size, and repeats exactly for a seed', () => {
    const cell = (idx: ArrayLike<number>) =>
      Array.from(idx, (i) => `${labels[i]}:${groups[i]}`)
        .sort()
        .join(' ');
    const original = cell(labels.map((_, i) => i));
    const seen: string[] = [];
    forEachResample({ labels, groups, classes: 3 }, 20, 5, (idx) => {
      expect(cell(idx)).toBe(original);
      seen.push(Array.from(idx).join(','));
    });
    const again: string[] = [];
    forEachResample({ labels, groups, classes: 3 }, 20, 5, (idx) => again.push(Array.from(idx).join(',')));
    expect(again).toEqual(seen);
    expect(new Set(seen).size).toBeGreaterThan(1);
  });

  it('a figure not defined in more than 2.5% of resamples has no interval', () => {
    const [lo, hi] = percentileInterval(Float64Array.from([4, 1, 3, 2]))!;
    expect(lo).toBeCloseTo(1.075, 12);
    expect(hi).toBeCloseTo(3.925, 12);
    expect(percentileInterval(Float64Array.from([1, 2, NaN, 4]))).toBeNull();
    expect(relativeChange(Float64Array.from([2, 3]), Float64Array.from([1, 0]))[1]).toBeNaN();
  });

  it('is paired: a student predicting exactly like its teacher differs by exactly 0 on every resample', () => {
    const rng = createRng(1);
    const sim = simulated(rng, 3, 10, [
      [0.9, 0.6],
      [0.8, 0.8],
      [0.7, 0.9],
    ]);
    const test = { labels: sim.labels, groups: sim.groups, classes: 3 };
    const model = (label: string, preds: number[], lambda = 0) =>
      ({ label, method: 'kd', lambda, testPredictions: preds, role: 'student' }) as unknown as ModelResult;
    const teacher = { ...model('Teacher', sim.preds), role: 'teacher' } as ModelResult;
    // One more right answer than the teacher, on an example of class 0 group 1 (a wrong one made right).
    const better = sim.preds.slice();
    const wrong = better.findIndex((p, i) => p !== sim.labels[i] && sim.labels[i] === 0 && sim.groups[i] === 1);
    better[wrong] = 0;
    const out = pairedIntervals(test, teacher, [model('CKD λ=0', sim.preds), model('CKD λ=1', better, 1)], 7, 300);
    const same = out.get('CKD λ=0')!;
    expect(same.biasVsTeacherInterval).toEqual([0, 0]);
    expect(same.excessChangeVsTeacherInterval).toEqual([0, 0]);
    expect(same.accuracyVsTeacherInterval).toEqual([0, 0]);
    // The one extra right answer sits in a cell every resample draws from: Δaccuracy ≥ 0 in all of them.
    const debiased = out.get('CKD λ=1')!;
    expect(debiased.accuracyChangeInterval![0]).toBeGreaterThanOrEqual(0);
    expect(debiased.accuracyChangeInterval![1]).toBeGreaterThan(0);
    expect(debiased.biasReductionInterval).not.toBeUndefined();
    // An unpaired view of the same two figures (each model's own interval) would overlap widely instead.
    const own = fairnessMetrics(sim.labels, sim.preds, sim.groups, 3, { resamples: 300, seed: 7 }).interval!;
    expect(own.meanAbsDisparity![1] - own.meanAbsDisparity![0]).toBeGreaterThan(0.05);
  });

  it('over 300 simulated fair teacher–student pairs, the excess-based change covers 0 at its nominal rate, the raw one does not', () => {
    // Both models have the same recall in both groups (fair); the student is less accurate (0.80 vs 0.93),
    // on cells of 8 examples (the tiny preset's size). Raw mean |disparity| grows with the noise of a less
    // accurate model; its excess over the noise floor does not.
    const K = 4;
    const fair = (r: number) => Array.from({ length: K }, () => [r, r]);
    const rng = createRng(10);
    const sims = 300;
    let raw = 0;
    let excess = 0;
    let relativeMeasurable = 0;
    for (let s = 0; s < sims; s++) {
      const t = simulated(rng, K, 8, fair(0.93));
      const st = simulated(rng, K, 8, fair(0.8));
      const [ft, fs] = resampleFigures({ labels: t.labels, groups: t.groups, classes: K }, [t.preds, st.preds], 400, s);
      if (covers(percentileInterval(difference(fs.meanAbsDisparity, ft.meanAbsDisparity)))) raw++;
      if (covers(percentileInterval(difference(fs.excessMeanAbsDisparity, ft.excessMeanAbsDisparity)))) excess++;
      if (percentileInterval(relativeChange(fs.excessMeanAbsDisparity, ft.excessMeanAbsDisparity)))
        relativeMeasurable++;
    }
    // Measured: excess 0.983 (295 of 300: conservative), raw 0.903; the relative excess figure is measurable
    // in 53 of 300 (a fair teacher mostly has no bias above its floor to compare with, and the lab says so).
    expect(excess / sims).toBeGreaterThanOrEqual(0.94);
    expect(raw / sims).toBeLessThan(0.92);
    expect(relativeMeasurable / sims).toBeLessThan(0.25);
  });
});

describe('mean over seeds with a t-interval', () => {
  it('uses Student’s t quantiles', () => {
    expect(t975(2)).toBe(4.303);
    expect(t975(30)).toBeCloseTo(2.042, 3);
    expect(t975(120)).toBeCloseTo(1.98, 2);
    const s = seedSummary([1, 2, 3]);
    expect(s.mean).toBe(2);
    expect(s.sd).toBe(1);
    expect(s.interval![0]).toBeCloseTo(2 - 4.303 / Math.sqrt(3), 12);
    expect(seedSummary([5]).interval).toBeNull();
  });
});
