import type { ClassDisparity, FairnessMetrics, OneVsRestGaps } from '../types';
import { classFloors } from './noiseFloor';
import { classIntervals, percentileInterval, resampleFigures } from './pairedBootstrap';

/**
 * Fairness figures over predictions, labels and a binary protected group (0, 1; −1 = unknown,
 * left out of every figure here). Pure functions: no tfjs.
 */

export const METRIC_DESCRIPTIONS: Record<string, string> = {
  disparity:
    'Disparity of a class: recall for group 0 minus recall for group 1 on that class (the study’s metric); 0 means both groups are recognised equally often.',
  meanAbsDisparity:
    'Mean |disparity|: the average size of the per-class disparities, ignoring their sign; classes where a group has no test example are skipped and listed, and a model with no class measurable in both groups shows “not measurable”.',
  noiseFloor:
    'Noise floor: the mean |disparity| a model with the same recall in both groups would still show on these test cells, from sampling alone (exact binomial expectation); the excess is what lies above it.',
  flipRate:
    'Counterfactual flip rate: the share of test images whose predicted class changes when only the group is changed (the same image drawn with the other group’s cue); 0 means the model ignores the group.',
  excess:
    'Excess mean |disparity|: mean |disparity| minus its noise floor — the bias that sampling noise does not explain.',
  biasIncrease:
    'Bias increase: how much larger the student’s mean |disparity| is than the teacher’s, relative to the teacher’s (the study found +46%).',
  biasReduction:
    'Bias reduction: 1 − mean |disparity| of the debiased student over that of the undebiased one (the study found 39% at λ = 0.5).',
  equalOpportunity:
    'Equal-opportunity difference of a class (one-vs-rest): the gap between the groups’ true-positive rates for “is this class”; it equals the class’s |disparity|.',
  equalizedOdds:
    'Mean equalized-odds gap: per class against the rest, the larger of the true-positive-rate gap and the false-positive-rate gap between the groups (Fairlearn’s equalized_odds_difference of that binary task), averaged over classes — the lab’s own aggregation.',
  demographicParity:
    'Mean demographic-parity gap: per class, the gap between how often each group is predicted as this class at all (Fairlearn’s demographic_parity_difference of that binary task), averaged over classes.',
  worstGroupAccuracy: 'Worst-group accuracy: the top-1 accuracy of whichever group the model serves worse.',
  biasAmplification:
    'Bias amplification (Zhao et al. 2017): how much more the predictions lean a class towards its majority group than the training labels do; positive means amplified.',
  interval:
    '95% interval: the range that holds 95% of the values over 1,000 bootstrap resamples of the test set drawn within each class × group cell, the same resamples for every model of the sweep (so differences between models are paired).',
};

interface Counts {
  /** [class][group]: examples of the class. */
  support: number[][];
  /** [class][group]: examples of the class predicted as the class. */
  hits: number[][];
  /** [class][group]: examples predicted as the class (any true class). */
  predicted: number[][];
  groupTotal: [number, number];
  groupCorrect: [number, number];
  /** [group][true][predicted]. */
  confusion: [number[][], number[][]];
  unknown: number;
}

function count(
  labels: ArrayLike<number>,
  preds: ArrayLike<number>,
  groups: ArrayLike<number>,
  classes: number,
  index?: ArrayLike<number>,
): Counts {
  const grid = () => Array.from({ length: classes }, () => [0, 0]);
  const c: Counts = {
    support: grid(),
    hits: grid(),
    predicted: grid(),
    groupTotal: [0, 0],
    groupCorrect: [0, 0],
    confusion: [0, 1].map(() => Array.from({ length: classes }, () => new Array<number>(classes).fill(0))) as [
      number[][],
      number[][],
    ],
    unknown: 0,
  };
  const n = index ? index.length : labels.length;
  for (let j = 0; j < n; j++) {
    const i = index ? index[j] : j;
    const g = groups[i];
    if (g !== 0 && g !== 1) {
      c.unknown++;
      continue;
    }
    const y = labels[i];
    const p = preds[i];
    c.support[y][g]++;
    c.predicted[p][g]++;
    c.groupTotal[g]++;
    c.confusion[g][y][p]++;
    if (y === p) {
      c.hits[y][g]++;
      c.groupCorrect[g]++;
    }
  }
  return c;
}

const ratio = (a: number, b: number): number | null => (b === 0 ? null : a / b);

function disparities(c: Counts): ClassDisparity[] {
  const floors = classFloors(c.support, c.hits);
  return c.support.map((s, k) => {
    const r0 = ratio(c.hits[k][0], s[0]);
    const r1 = ratio(c.hits[k][1], s[1]);
    return {
      classIndex: k,
      recall: [r0, r1],
      support: [s[0], s[1]],
      disparity: r0 === null || r1 === null ? null : r0 - r1,
      floor: floors[k],
    };
  });
}

/** Mean of |v| over the defined values; null when none is defined (not measurable, never 0). */
function meanAbs(values: (number | null)[]): number | null {
  const defined = values.filter((v): v is number => v !== null);
  return defined.length ? defined.reduce((s, v) => s + Math.abs(v), 0) / defined.length : null;
}

function oneVsRest(c: Counts): OneVsRestGaps[] {
  return c.support.map((s, k) => {
    const tpr = [0, 1].map((g) => ratio(c.hits[k][g], s[g]));
    // Negatives of class k in group g, and how many of them were predicted k.
    const fpr = [0, 1].map((g) => ratio(c.predicted[k][g] - c.hits[k][g], c.groupTotal[g] - s[g]));
    const sel = [0, 1].map((g) => ratio(c.predicted[k][g], c.groupTotal[g]));
    const gap = (v: (number | null)[]) => (v[0] === null || v[1] === null ? null : Math.abs(v[0] - v[1]));
    const tprGap = gap(tpr);
    const fprGap = gap(fpr);
    const pair = (v: (number | null)[]) => [v[0], v[1]] as [number | null, number | null];
    return {
      classIndex: k,
      equalOpportunity: tprGap,
      equalizedOdds: tprGap === null || fprGap === null ? null : Math.max(tprGap, fprGap),
      demographicParity: gap(sel),
      byGroup: {
        truePositiveRate: pair(tpr),
        falsePositiveRate: pair(fpr),
        selectionRate: pair(sel),
        count: [c.groupTotal[0], c.groupTotal[1]],
      },
    };
  });
}

/** Share of each class's training examples in each group: shares[class][group]. */
export function groupShares(
  labels: ArrayLike<number>,
  groups: ArrayLike<number>,
  classes: number,
  index?: ArrayLike<number>,
): number[][] {
  const counts = Array.from({ length: classes }, () => [0, 0]);
  const n = index ? index.length : labels.length;
  for (let j = 0; j < n; j++) {
    const i = index ? index[j] : j;
    const g = groups[i];
    if (g === 0 || g === 1) counts[labels[i]][g]++;
  }
  return counts.map(([a, b]) => (a + b === 0 ? [0, 0] : [a / (a + b), b / (a + b)]));
}

/**
 * Zhao et al. 2017: (1/|O|) Σ_o Σ_g 1[b_train(o,g) > 1/|G|]·(b_pred(o,g) − b_train(o,g)), with
 * b_pred(o,g) the share of group g among the examples *predicted* as o. Classes never predicted
 * contribute nothing (b_pred undefined) but still count in |O|, as in the paper's average.
 */
export function biasAmplification(trainShares: number[][], predictedCounts: number[][]): number {
  const classes = trainShares.length;
  let sum = 0;
  for (let o = 0; o < classes; o++) {
    const total = predictedCounts[o][0] + predictedCounts[o][1];
    if (total === 0) continue;
    for (let g = 0; g < 2; g++) {
      if (trainShares[o][g] > 0.5) sum += predictedCounts[o][g] / total - trainShares[o][g];
    }
  }
  return classes ? sum / classes : 0;
}

export function perClassDisparity(
  labels: ArrayLike<number>,
  preds: ArrayLike<number>,
  groups: ArrayLike<number>,
  classes: number,
): ClassDisparity[] {
  return disparities(count(labels, preds, groups, classes));
}

export interface FairnessOptions {
  /** Training-split group shares per class, for bias amplification. */
  trainShares?: number[][];
  /** Bootstrap resamples for the 95% intervals (0 = none). */
  resamples?: number;
  seed?: number;
  /** Predictions on the counterfactual twins (same order as `preds`), for the flip rate. */
  twinPredictions?: ArrayLike<number>;
}

export function fairnessMetrics(
  labels: ArrayLike<number>,
  preds: ArrayLike<number>,
  groups: ArrayLike<number>,
  classes: number,
  opts: FairnessOptions = {},
): FairnessMetrics {
  const c = count(labels, preds, groups, classes);
  const perClass = disparities(c);
  const ovr = oneVsRest(c);
  const groupAccuracy: [number | null, number | null] = [
    ratio(c.groupCorrect[0], c.groupTotal[0]),
    ratio(c.groupCorrect[1], c.groupTotal[1]),
  ];
  const definedAcc = groupAccuracy.filter((v): v is number => v !== null);
  const meanAbsDisparity = meanAbs(perClass.map((d) => d.disparity));
  const measured = perClass.filter((d) => d.floor !== null);
  const floor = measured.length ? measured.reduce((sum, d) => sum + d.floor!, 0) / measured.length : null;
  const result: FairnessMetrics = {
    perClass,
    meanAbsDisparity,
    meanAbsDisparityFloor: floor,
    excessMeanAbsDisparity: meanAbsDisparity === null || floor === null ? null : meanAbsDisparity - floor,
    skippedClasses: perClass.filter((d) => d.disparity === null).map((d) => d.classIndex),
    unknownGroup: c.unknown,
    oneVsRest: ovr,
    confusionByGroup: c.confusion,
    meanEqualizedOdds: meanAbs(ovr.map((o) => o.equalizedOdds)),
    meanDemographicParity: meanAbs(ovr.map((o) => o.demographicParity)),
    groupAccuracy,
    worstGroupAccuracy: definedAcc.length ? Math.min(...definedAcc) : null,
    biasAmplification: opts.trainShares ? biasAmplification(opts.trainShares, c.predicted) : null,
    counterfactualFlipRate: opts.twinPredictions ? flipRate(preds, opts.twinPredictions) : null,
  };
  const resamples = opts.resamples ?? 0;
  if (resamples > 0 && labels.length > 0) {
    const [figures] = resampleFigures({ labels, groups, classes }, [preds], resamples, opts.seed ?? 0, [
      opts.twinPredictions,
    ]);
    classIntervals(figures, classes).forEach((interval, k) => {
      perClass[k].interval = interval;
    });
    result.interval = {
      meanAbsDisparity: percentileInterval(figures.meanAbsDisparity),
      excessMeanAbsDisparity: percentileInterval(figures.excessMeanAbsDisparity),
      accuracy: percentileInterval(figures.accuracy),
      ...(opts.twinPredictions ? { counterfactualFlipRate: percentileInterval(figures.flipRate) } : {}),
      resamples,
      stratified: true,
    };
  }
  return result;
}

/**
 * (student − teacher)/teacher of a bias figure (raw or excess mean |disparity|); null when either is
 * not measurable or the teacher shows no bias to compare with (≤ 0).
 */
export function biasIncrease(student: number | null, teacher: number | null): number | null {
  return student === null || teacher === null || teacher <= 0 ? null : (student - teacher) / teacher;
}

/** 1 − debiased/undebiased of a bias figure; null when not measurable or the undebiased student shows none (≤ 0). */
export function biasReduction(debiased: number | null, undebiased: number | null): number | null {
  return debiased === null || undebiased === null || undebiased <= 0 ? null : 1 - debiased / undebiased;
}

/** Share of examples whose prediction differs on the counterfactual twin. */
export function flipRate(preds: ArrayLike<number>, twins: ArrayLike<number>): number | null {
  if (preds.length === 0) return null;
  let flips = 0;
  for (let i = 0; i < preds.length; i++) if (preds[i] !== twins[i]) flips++;
  return flips / preds.length;
}
