import type { MethodId } from '../distill/catalog';
/**
 * What the lab measures of a model, as plain serializable records (they go into IndexedDB, the
 * JSON exports and the CLI): classification, fairness with its noise floor and intervals, size.
 * Re-exported by engine/types.ts.
 */

export interface ClassificationMetrics {
  accuracy: number;
  macro: { precision: number; recall: number; f1: number };
  weighted: { precision: number; recall: number; f1: number };
  perClass: { precision: number; recall: number; f1: number; support: number }[];
  confusion: number[][];
}

export interface ClassDisparity {
  classIndex: number;
  /** recall(c | group 0) − recall(c | group 1); null when a group has no example of c. */
  disparity: number | null;
  recall: [number | null, number | null];
  support: [number, number];
  /** Expected |disparity| from sampling alone if both groups had this class's pooled recall (exact binomial sums). */
  floor: number | null;
  /** 95% interval of the signed disparity over the stratified bootstrap; null when not measurable. */
  interval?: [number, number] | null;
}

/**
 * Class c against the rest, as a binary task: the gaps Fairlearn's equal_opportunity_difference,
 * equalized_odds_difference and demographic_parity_difference would give for that binary task.
 */
export interface OneVsRestGaps {
  classIndex: number;
  /** |TPR(group 0) − TPR(group 1)| for "is class c": the same as |disparity| of c. */
  equalOpportunity: number | null;
  /** max(TPR gap, FPR gap). */
  equalizedOdds: number | null;
  /** |P(ŷ = c | group 0) − P(ŷ = c | group 1)|. */
  demographicParity: number | null;
  /**
   * The rates each gap is built from, per group [group 0, group 1] — Fairlearn's MetricFrame(by_group) of
   * the binary task "is class c" (y_true = label is c, y_pred = prediction is c): true_positive_rate,
   * false_positive_rate, selection_rate and count (the group's test examples); null where a rate's
   * denominator is 0. Absent in runs stored before it existed.
   */
  byGroup?: {
    truePositiveRate: [number | null, number | null];
    falsePositiveRate: [number | null, number | null];
    selectionRate: [number | null, number | null];
    count: [number, number];
  };
}

export interface FairnessMetrics {
  perClass: ClassDisparity[];
  /** Mean |disparity| over the classes measurable in both groups; null when none is ("not measurable", never 0). */
  meanAbsDisparity: number | null;
  /** What a model with equal recall in both groups would score on the same test cells: the mean of the class floors. */
  meanAbsDisparityFloor: number | null;
  /** meanAbsDisparity − meanAbsDisparityFloor: the part of the bias that sampling noise does not explain. */
  excessMeanAbsDisparity: number | null;
  /** Classes left out of the mean because one group had no example of them. */
  skippedClasses: number[];
  /** Examples whose group is unknown (left out of every fairness figure). */
  unknownGroup: number;
  oneVsRest: OneVsRestGaps[];
  /** The confusion table of each group, [group][true][predicted] (absent in runs stored before it existed). */
  confusionByGroup?: [number[][], number[][]];
  /**
   * Means over the classes where each one-vs-rest gap is defined. The lab's own aggregation: Fairlearn
   * reports one figure for a binary task; here each class against the rest is one binary task. (The
   * equal-opportunity gap of a class is |its disparity|, so its mean is meanAbsDisparity.)
   */
  meanEqualizedOdds: number | null;
  meanDemographicParity: number | null;
  groupAccuracy: [number | null, number | null];
  worstGroupAccuracy: number | null;
  /** Zhao et al. 2017; null when training shares were not given. */
  biasAmplification: number | null;
  /**
   * Share of test images whose predicted class changes when only the group is changed (the same image
   * rendered with the other group's cue): a direct measure of reliance on the group. Null without twins
   * (imported data, the first built-in design).
   */
  counterfactualFlipRate?: number | null;
  /** 95% intervals over a seeded bootstrap stratified by class × group (the sweep's shared resamples). */
  interval?: {
    meanAbsDisparity: [number, number] | null;
    excessMeanAbsDisparity: [number, number] | null;
    accuracy: [number, number] | null;
    counterfactualFlipRate?: [number, number] | null;
    resamples: number;
    stratified: true;
  };
}

export interface ModelSize {
  params: number;
  bytesFloat32: number;
  bytesFloat16: number;
  /** 1 byte per weight plus a float32 minimum and scale per weight tensor. */
  bytesUint8: number;
  /** Per image, 2 × the multiply-accumulates of convolutions and dense layers. */
  flops: number;
  /** Median inference latency per image (batch 32) on the backend the run used. */
  latencyMs?: number;
  /** Fastest and slowest of the timed batches, per image: latency is noisy, and a ratio of two needs this. */
  latencySpreadMs?: [number, number];
}

export interface ValidationFigures {
  accuracy: number;
  meanAbsDisparity: number | null;
  meanAbsDisparityFloor: number | null;
  excessMeanAbsDisparity: number | null;
}

/**
 * A student against the teacher and (λ > 0) against the same method at λ = 0, on the same bootstrap
 * resamples of the test set (stratified by class × group). Relative changes are (student − other)/other
 * of mean |disparity|, raw or excess over the noise floor; accuracy differences are in points. An
 * interval is null when the figure is undefined in more than 2.5% of the resamples (no bias to compare with).
 */
export interface PairedIntervals {
  pairedResamples: number;
  biasVsTeacherInterval: [number, number] | null;
  excessBiasVsTeacherInterval: [number, number] | null;
  /**
   * Student's excess mean |disparity| minus the teacher's (in mean |disparity| units): defined even
   * when the teacher shows no bias above its floor, where the relative figure is not.
   */
  excessChangeVsTeacherInterval: [number, number] | null;
  accuracyVsTeacherInterval: [number, number] | null;
  /** Relative change of the counterfactual flip rate vs the teacher (absent without twins). */
  flipRateVsTeacherInterval?: [number, number] | null;
  /** The flip rate's change against the teacher in points (student − teacher, ×100): what reads right near a 0 base. */
  flipRateChangeVsTeacherInterval?: [number, number] | null;
  biasReductionInterval?: [number, number] | null;
  /** λ > 0: 1 − flip rate / flip rate at λ = 0. */
  flipRateReductionInterval?: [number, number] | null;
  excessBiasReductionInterval?: [number, number] | null;
  accuracyChangeInterval?: [number, number] | null;
}

/** The λ the lab recommends for one method, chosen on validation and reported on test. */
export interface Recommendation {
  method: MethodId;
  /** The series the λ was chosen within ("CKD", "CKD T=2"); absent in results stored before sweeps. */
  series?: string;
  /** 0 when no λ > 0 qualified (the rule says why). */
  lambda: number;
  label: string;
  /** The rule, in words, with the budget it used and what it found. */
  rule: string;
  budgetPoints: number;
  validation: { excessBiasReduction: number | null; accuracyChangePoints: number };
  test: { excessBiasReduction: number | null; biasReduction: number | null; accuracyChangePoints: number };
}
