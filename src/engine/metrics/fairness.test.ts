import { describe, expect, it } from 'vitest';
import {
  biasAmplification,
  biasIncrease,
  biasReduction,
  fairnessMetrics,
  groupShares,
  METRIC_DESCRIPTIONS,
} from './fairness';

/**
 * A hand-made table (groups 0 and 1; −1 unknown):
 *   class 0: group 0 has 4 examples, 3 right (one predicted 1); group 1 has 2, 1 right (one predicted 2)
 *   class 1: group 0 has 2, both right;   group 1 has 4, 1 right (predicted 0, 0, 2)
 *   class 2: group 0 has none;            group 1 has 3, all right
 *   one example of unknown group.
 */
const rows: [number, number, number][] = [
  [0, 0, 0],
  [0, 0, 0],
  [0, 0, 0],
  [0, 1, 0],
  [0, 0, 1],
  [0, 2, 1],
  [1, 1, 0],
  [1, 1, 0],
  [1, 1, 1],
  [1, 0, 1],
  [1, 0, 1],
  [1, 2, 1],
  [2, 2, 1],
  [2, 2, 1],
  [2, 2, 1],
  [2, 0, -1],
];
const labels = rows.map((r) => r[0]);
const preds = rows.map((r) => r[1]);
const groups = rows.map((r) => r[2]);

describe('fairness metrics on a hand-made table', () => {
  const f = fairnessMetrics(labels, preds, groups, 3, {
    trainShares: [
      [0.8, 0.2],
      [0.3, 0.7],
      [0.5, 0.5],
    ],
  });

  it('per-class signed disparity = recall(group 0) − recall(group 1)', () => {
    expect(f.perClass[0].recall).toEqual([0.75, 0.5]);
    expect(f.perClass[0].disparity).toBeCloseTo(0.25, 12);
    expect(f.perClass[1].disparity).toBeCloseTo(0.75, 12);
    expect(f.perClass[0].support).toEqual([4, 2]);
  });

  it('a class with an empty group has no disparity, is skipped in the mean and listed', () => {
    expect(f.perClass[2].disparity).toBeNull();
    expect(f.perClass[2].recall).toEqual([null, 1]);
    expect(f.skippedClasses).toEqual([2]);
    expect(f.meanAbsDisparity).toBeCloseTo(0.5, 12);
    expect(f.unknownGroup).toBe(1);
  });

  it('one-vs-rest equal opportunity, equalized odds and demographic parity (class 0)', () => {
    const c0 = f.oneVsRest[0];
    expect(c0.equalOpportunity).toBeCloseTo(0.25, 12); // TPR 3/4 vs 1/2
    expect(c0.equalizedOdds).toBeCloseTo(2 / 7, 12); // FPR 0/2 vs 2/7 is the larger gap
    expect(c0.demographicParity).toBeCloseTo(0.5 - 1 / 3, 12); // 3 of 6 vs 3 of 9 predicted "0"
    expect(f.oneVsRest[2].equalOpportunity).toBeNull();
  });

  it('per group and class: Fairlearn’s MetricFrame(by_group) of “is class c”, and each group’s confusion table', () => {
    // Fairlearn's definitions (fairlearn/metrics/_base_metrics.py, _selection_rate.py) written out on the
    // binary task of each class, per group, in float64: count = len(y_true), selection_rate = mean(ŷ = 1),
    // true_positive_rate = TP / (TP + FN), false_positive_rate = FP / (FP + TN). (Fairlearn itself is not
    // installable here: no PyPI.)
    for (let k = 0; k < 3; k++)
      for (const g of [0, 1]) {
        const at = rows.filter((r) => r[2] === g);
        const yTrue: number[] = at.map((r) => (r[0] === k ? 1 : 0));
        const yPred: number[] = at.map((r) => (r[1] === k ? 1 : 0));
        const tp = yTrue.filter((y, i) => y === 1 && yPred[i] === 1).length;
        const fn = yTrue.filter((y, i) => y === 1 && yPred[i] === 0).length;
        const fp = yTrue.filter((y, i) => y === 0 && yPred[i] === 1).length;
        const tn = yTrue.filter((y, i) => y === 0 && yPred[i] === 0).length;
        const byGroup = f.oneVsRest[k].byGroup!;
        expect(byGroup.count[g]).toBe(yTrue.length);
        expect(byGroup.selectionRate[g]).toBeCloseTo(yPred.reduce((a, b) => a + b, 0) / yPred.length, 12);
        if (tp + fn === 0) expect(byGroup.truePositiveRate[g]).toBeNull();
        else expect(byGroup.truePositiveRate[g]).toBeCloseTo(tp / (tp + fn), 12);
        expect(byGroup.falsePositiveRate[g]).toBeCloseTo(fp / (fp + tn), 12);
      }
    // By hand, class 0: TPR 3/4 and 1/2; FPR 0/2 and 2/7; selection 3/6 and 3/9; 6 and 9 examples.
    expect(f.oneVsRest[0].byGroup).toEqual({
      truePositiveRate: [0.75, 0.5],
      falsePositiveRate: [0, 2 / 7],
      selectionRate: [0.5, 1 / 3],
      count: [6, 9],
    });
    // The gaps are the rates' differences: equalized odds is the larger of the TPR and FPR gaps.
    const b = f.oneVsRest[0].byGroup!;
    expect(f.oneVsRest[0].equalizedOdds).toBeCloseTo(
      Math.max(
        Math.abs(b.truePositiveRate[0]! - b.truePositiveRate[1]!),
        Math.abs(b.falsePositiveRate[0]! - b.falsePositiveRate[1]!),
      ),
      12,
    );
    expect(f.oneVsRest[2].byGroup!.truePositiveRate).toEqual([null, 1]); // group 0 has no class-2 example
    // Each group's confusion table, [true][predicted]; the unknown-group example is in neither.
    expect(f.confusionByGroup).toEqual([
      [
        [3, 1, 0],
        [0, 2, 0],
        [0, 0, 0],
      ],
      [
        [1, 0, 1],
        [2, 1, 1],
        [0, 0, 3],
      ],
    ]);
  });

  it('group accuracies and the worst group', () => {
    expect(f.groupAccuracy[0]).toBeCloseTo(5 / 6, 12);
    expect(f.groupAccuracy[1]).toBeCloseTo(5 / 9, 12);
    expect(f.worstGroupAccuracy).toBeCloseTo(5 / 9, 12);
  });

  it('Zhao et al. bias amplification: (0.5 − 0.8) + (0.25 − 0.7), over 3 classes', () => {
    expect(f.biasAmplification).toBeCloseTo((-0.3 - 0.45) / 3, 12);
    // A prediction that leans harder than the training data is positive amplification.
    expect(
      biasAmplification(
        [
          [0.6, 0.4],
          [0.4, 0.6],
        ],
        [
          [9, 1],
          [1, 9],
        ],
      ),
    ).toBeCloseTo((0.3 + 0.3) / 2, 12);
  });

  it('group shares of the training labels', () => {
    expect(groupShares([0, 0, 0, 1, 1], [0, 0, 1, 1, -1], 2)).toEqual([
      [2 / 3, 1 / 3],
      [0, 1],
    ]);
  });

  it('headline figures: bias increase over the teacher and reduction over the undebiased student', () => {
    expect(biasIncrease(0.1226, 0.084)).toBeCloseTo(0.4595, 3); // the study's +46%
    expect(biasReduction(0.0748, 0.1226)).toBeCloseTo(0.3899, 3); // the study's 39%
    expect(biasIncrease(0.1, 0)).toBeNull();
  });

  it('seeded bootstrap intervals bracket the point estimate and repeat exactly', () => {
    const a = fairnessMetrics(labels, preds, groups, 3, { resamples: 300, seed: 4 });
    const b = fairnessMetrics(labels, preds, groups, 3, { resamples: 300, seed: 4 });
    expect(a.interval).toEqual(b.interval);
    const acc = 11 / 16;
    expect(a.interval!.accuracy![0]).toBeLessThanOrEqual(acc);
    expect(a.interval!.accuracy![1]).toBeGreaterThanOrEqual(acc);
    expect(a.interval!.meanAbsDisparity![0]).toBeLessThan(a.interval!.meanAbsDisparity![1]);
  });

  it('every metric has a one-sentence description for the UI', () => {
    for (const k of [
      'disparity',
      'meanAbsDisparity',
      'biasIncrease',
      'biasReduction',
      'equalOpportunity',
      'equalizedOdds',
      'demographicParity',
      'worstGroupAccuracy',
      'biasAmplification',
    ]) {
      expect(METRIC_DESCRIPTIONS[k]).toMatch(/\.$/);
    }
  });
});
