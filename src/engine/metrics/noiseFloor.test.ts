import { describe, expect, it } from 'vitest';
import { createRng } from '../random';
import { fairnessMetrics } from './fairness';
import { binomialPmf, expectedAbsGap } from './noiseFloor';

describe('noise floor of a disparity', () => {
  it('equals hand-worked binomial sums on small cells', () => {
    // n0 = n1 = 1, p = 1/2: the four outcomes (0,0) (1,0) (0,1) (1,1) are equally likely; |gap| is 0, 1, 1, 0.
    expect(expectedAbsGap(1, 1, 1)).toBeCloseTo(0.5, 14);
    // n0 = 2, n1 = 1, p = 2/3: P(X0) = 1/9, 4/9, 4/9; P(X1) = 1/3, 2/3;
    // E = 1/9·(2/3·1) + 4/9·(1/3·½ + 2/3·½) + 4/9·(1/3·1) = 2/27 + 6/27 + 4/27 = 4/9.
    expect(expectedAbsGap(2, 1, 2)).toBeCloseTo(4 / 9, 14);
    // Recall 0 or 1 in both groups leaves no room for noise.
    expect(expectedAbsGap(5, 3, 0)).toBe(0);
    expect(expectedAbsGap(5, 3, 8)).toBe(0);
  });

  it('the binomial pmf sums to 1 and stays finite on a large cell', () => {
    const pmf = binomialPmf(3000, 0.97);
    expect(pmf.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 10);
    expect(pmf.every(Number.isFinite)).toBe(true);
    binomialPmf(4, 0.5).forEach((v, k) => expect(v).toBeCloseTo([1, 4, 6, 4, 1][k] / 16, 14));
  });

  it('agrees with a seeded simulation of a model that has equal recall in both groups', () => {
    const [n0, n1, p] = [7, 5, 0.75];
    const rng = createRng(3);
    let sum = 0;
    const draws = 200_000;
    for (let d = 0; d < draws; d++) {
      let k0 = 0;
      let k1 = 0;
      for (let i = 0; i < n0; i++) if (rng() < p) k0++;
      for (let i = 0; i < n1; i++) if (rng() < p) k1++;
      sum += Math.abs(k0 / n0 - k1 / n1);
    }
    // hits = p·(n0 + n1) = 9: the pooled recall the floor is computed at.
    expect(Math.abs(sum / draws - expectedAbsGap(n0, n1, 9))).toBeLessThan(0.002);
  });

  it('per class and as the mean a model shows: floor, excess, and a fair model at the floor', () => {
    // Class 0: 4 + 4 examples, 3 + 3 right (equal recall 0.75); class 1: 2 + 2, 2 + 1 right.
    const labels = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1];
    const groups = [0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 1, 1];
    const preds = [0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1, 0];
    const f = fairnessMetrics(labels, preds, groups, 2);
    const floor0 = expectedAbsGap(4, 4, 6);
    const floor1 = expectedAbsGap(2, 2, 3);
    expect(f.perClass.map((c) => c.floor)).toEqual([floor0, floor1]);
    expect(f.meanAbsDisparity).toBeCloseTo((0 + 0.5) / 2, 14);
    expect(f.meanAbsDisparityFloor).toBeCloseTo((floor0 + floor1) / 2, 14);
    expect(f.excessMeanAbsDisparity).toBeCloseTo(0.25 - (floor0 + floor1) / 2, 14);
    // Class 0 is fair on these cells, yet sampling alone would show about this much |disparity|:
    expect(floor0).toBeGreaterThan(0.2);
  });

  it('a model with no class measurable in both groups is "not measurable" (null), never 0', () => {
    const f = fairnessMetrics([0, 0, 1, 1], [0, 1, 1, 1], [0, 0, 1, 1], 2, { resamples: 50, seed: 1 });
    expect(f.meanAbsDisparity).toBeNull();
    expect(f.meanAbsDisparityFloor).toBeNull();
    expect(f.excessMeanAbsDisparity).toBeNull();
    expect(f.skippedClasses).toEqual([0, 1]);
    expect(f.interval!.meanAbsDisparity).toBeNull();
    expect(f.interval!.accuracy).not.toBeNull();
  });
});
