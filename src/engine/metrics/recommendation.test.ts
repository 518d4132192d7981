import { describe, expect, it } from 'vitest';
import type { ModelResult } from '../types';
import { recommendations, recommendLambda } from './recommendation';

/** A student with validation (accuracy, excess) and test (accuracy, raw, excess) figures. */
function student(lambda: number, val: [number, number | null], test: [number, number, number]): ModelResult {
  return {
    label: `CKD λ=${lambda}`,
    method: 'kd',
    lambda,
    role: 'student',
    validation: {
      accuracy: val[0],
      excessMeanAbsDisparity: val[1],
      meanAbsDisparity: null,
      meanAbsDisparityFloor: null,
    },
    test: { accuracy: test[0] },
    fairness: { meanAbsDisparity: test[1], excessMeanAbsDisparity: test[2] },
  } as unknown as ModelResult;
}

describe('recommended λ', () => {
  const runs = [
    student(0, [0.9, 0.2], [0.89, 0.25, 0.2]),
    student(0.5, [0.895, 0.12], [0.885, 0.18, 0.13]), // −40% for −0.5 pt
    student(1, [0.885, 0.08], [0.87, 0.12, 0.07]), // −60% for −1.5 pt: over the 1-pt budget
    student(2, [0.7, 0.01], [0.69, 0.05, 0.0]),
  ];

  it('is the largest validation reduction of excess within the accuracy budget, reported on test', () => {
    const r = recommendLambda(runs, 'CKD')!;
    expect(r.lambda).toBe(0.5);
    expect(r.validation.excessBiasReduction).toBeCloseTo(0.4, 12);
    expect(r.validation.accuracyChangePoints).toBeCloseTo(-0.5, 10);
    expect(r.test.excessBiasReduction).toBeCloseTo(1 - 0.13 / 0.2, 12);
    expect(r.test.biasReduction).toBeCloseTo(1 - 0.18 / 0.25, 12);
    expect(r.test.accuracyChangePoints).toBeCloseTo(-0.5, 10);
    expect(r.rule).toContain('budget 1 pt');
  });

  it('follows the budget: 2 points allow λ = 1; test figures never choose', () => {
    expect(recommendLambda(runs, 'CKD', 2)!.lambda).toBe(1);
    // λ = 1's test figures are better than λ = 0.5's, but a 1-pt budget still excludes it on validation.
    expect(recommendLambda(runs, 'CKD', 1)!.lambda).toBe(0.5);
  });

  it('says so when nothing qualifies, and when the undebiased student has no bias above its floor', () => {
    const none = recommendLambda([runs[0], student(1, [0.85, 0.1], [0.85, 0.1, 0.1])], 'CKD')!;
    expect(none.lambda).toBe(0);
    expect(none.rule).toContain('no λ > 0 reduced it within the budget');
    const fair = recommendLambda([student(0, [0.9, -0.01], [0.9, 0.05, 0]), runs[1]], 'CKD')!;
    expect(fair.lambda).toBe(0);
    expect(fair.rule).toContain('no bias above its noise floor');
    expect(recommendations(runs)).toHaveLength(1);
    expect(recommendLambda([runs[0]], 'CKD')).toBeNull();
  });
});
