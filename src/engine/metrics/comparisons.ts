import type { ModelResult, PairedIntervals } from '../types';
import { seriesOf } from '../plan';
import {
  DEFAULT_RESAMPLES,
  difference,
  percentileInterval,
  relativeChange,
  resampleFigures,
  type ResampledFigures,
  type TestLabels,
} from './pairedBootstrap';

/**
 * Paired intervals for a sweep's students: every model is measured on the same stratified bootstrap
 * resamples of the test set, and each student's change against the teacher (and, for λ > 0, against
 * the same method at λ = 0) is taken resample by resample before the percentiles. Students without
 * test predictions (runs stored before the lab kept them) get none.
 */
export function pairedIntervals(
  test: TestLabels,
  teacher: ModelResult,
  students: ModelResult[],
  seed: number,
  resamples = DEFAULT_RESAMPLES,
): Map<string, PairedIntervals> {
  const out = new Map<string, PairedIntervals>();
  const models = [teacher, ...students].filter((m) => m.testPredictions?.length === test.labels.length);
  if (!models.includes(teacher)) return out;
  const figures = new Map<ModelResult, ResampledFigures>();
  resampleFigures(
    test,
    models.map((m) => m.testPredictions!),
    resamples,
    seed,
    models.map((m) => m.twinPredictions),
  ).forEach((f, i) => figures.set(models[i], f));
  const t = figures.get(teacher)!;
  const reduction = (a: Float64Array, b: Float64Array) => relativeChange(a, b).map((v) => -v);
  const points = (a: Float64Array, b: Float64Array) => difference(a, b).map((v) => 100 * v);
  for (const s of students) {
    const f = figures.get(s);
    if (!f) continue;
    const intervals: PairedIntervals = {
      pairedResamples: resamples,
      biasVsTeacherInterval: percentileInterval(relativeChange(f.meanAbsDisparity, t.meanAbsDisparity)),
      excessBiasVsTeacherInterval: percentileInterval(
        relativeChange(f.excessMeanAbsDisparity, t.excessMeanAbsDisparity),
      ),
      excessChangeVsTeacherInterval: percentileInterval(difference(f.excessMeanAbsDisparity, t.excessMeanAbsDisparity)),
      accuracyVsTeacherInterval: percentileInterval(points(f.accuracy, t.accuracy)),
      ...(s.twinPredictions && teacher.twinPredictions
        ? {
            flipRateVsTeacherInterval: percentileInterval(relativeChange(f.flipRate, t.flipRate)),
            flipRateChangeVsTeacherInterval: percentileInterval(points(f.flipRate, t.flipRate)),
          }
        : {}),
    };
    const undebiased = s.lambda > 0 ? students.find((u) => seriesOf(u) === seriesOf(s) && u.lambda === 0) : undefined;
    const u = undebiased && figures.get(undebiased);
    if (u) {
      // 1 − debiased/undebiased = −(debiased − undebiased)/undebiased.
      intervals.biasReductionInterval = percentileInterval(reduction(f.meanAbsDisparity, u.meanAbsDisparity));
      intervals.excessBiasReductionInterval = percentileInterval(
        reduction(f.excessMeanAbsDisparity, u.excessMeanAbsDisparity),
      );
      intervals.accuracyChangeInterval = percentileInterval(points(f.accuracy, u.accuracy));
      if (s.twinPredictions && undebiased.twinPredictions)
        intervals.flipRateReductionInterval = percentileInterval(reduction(f.flipRate, u.flipRate));
    }
    out.set(s.label, intervals);
  }
  return out;
}
