import { seriesOf } from '../plan';
import type { ModelResult, Recommendation } from '../types';
import { biasReduction } from './fairness';

export type { Recommendation } from './results';

export const DEFAULT_ACCURACY_BUDGET = 1;

const RULE =
  'the λ > 0 with the largest validation reduction of excess mean |disparity| (vs λ = 0) whose validation accuracy is at most the budget below λ = 0';

/**
 * Recommended λ per series (a method, or a method at one swept value): among its students with λ > 0, the one whose validation excess
 * mean |disparity| falls most below the undebiased student's, with a validation accuracy cost within
 * `budgetPoints` (ties: the smaller λ). Only validation figures choose; test figures are reported.
 */
export function recommendLambda(
  students: ModelResult[],
  series: string,
  budgetPoints = DEFAULT_ACCURACY_BUDGET,
): Recommendation | null {
  const runs = students.filter((s) => s.role === 'student' && seriesOf(s) === series && s.validation);
  const base = runs.find((s) => s.lambda === 0);
  const debiased = runs.filter((s) => s.lambda > 0).sort((a, b) => a.lambda - b.lambda);
  if (!base || !debiased.length) return null;
  const v0 = base.validation!;
  const figures = (s: ModelResult) => ({
    validation: {
      excessBiasReduction: biasReduction(s.validation!.excessMeanAbsDisparity, v0.excessMeanAbsDisparity),
      accuracyChangePoints: 100 * (s.validation!.accuracy - v0.accuracy),
    },
    test: {
      excessBiasReduction: biasReduction(s.fairness.excessMeanAbsDisparity, base.fairness.excessMeanAbsDisparity),
      biasReduction: biasReduction(s.fairness.meanAbsDisparity, base.fairness.meanAbsDisparity),
      accuracyChangePoints: 100 * (s.test.accuracy - base.test.accuracy),
    },
  });
  let best: ModelResult | null = null;
  let bestReduction = 0;
  for (const s of debiased) {
    const f = figures(s).validation;
    if (f.accuracyChangePoints < -budgetPoints || f.excessBiasReduction === null) continue;
    if (f.excessBiasReduction > bestReduction) {
      best = s;
      bestReduction = f.excessBiasReduction;
    }
  }
  const chosen = best ?? base;
  const why = best
    ? `${RULE} (budget ${budgetPoints} pt): λ = ${best.lambda} cut it by ${(100 * bestReduction).toFixed(0)}%.`
    : v0.excessMeanAbsDisparity === null || v0.excessMeanAbsDisparity <= 0
      ? `${RULE} (budget ${budgetPoints} pt): the undebiased student shows no bias above its noise floor on validation, so λ = 0.`
      : `${RULE} (budget ${budgetPoints} pt): no λ > 0 reduced it within the budget, so λ = 0.`;
  return {
    method: chosen.method,
    series,
    lambda: chosen.lambda,
    label: chosen.label,
    rule: why,
    budgetPoints,
    ...figures(chosen),
  };
}

/** One recommendation per series that has debiased runs. */
export function recommendations(students: ModelResult[], budgetPoints = DEFAULT_ACCURACY_BUDGET): Recommendation[] {
  const series = [...new Set(students.filter((s) => s.role === 'student').map(seriesOf))];
  return series.flatMap((m) => recommendLambda(students, m, budgetPoints) ?? []);
}
