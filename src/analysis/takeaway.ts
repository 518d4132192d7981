import { biasIncrease } from '../engine/metrics/fairness';
import type { ExperimentResult } from '../engine/types';
import { leadingSeries, studentAt } from './compare';
import { changeText, reductionBound, reductionText } from './reduction';

const pct = (v: number) => `${Math.round(100 * v)}%`;
const range = (i: [number, number] | null | undefined, f: (v: number) => string) =>
  i ? ` [95%: ${f(i[0])} to ${f(i[1])}]` : '';
/** A change of accuracy in words: a gain reads as a gain, a loss as a cost — never "+3.3 points of accuracy" for both. */
function accuracyChange(points: number, interval: string): string {
  if (Math.abs(points) < 0.05) return `with accuracy unchanged (${points.toFixed(1)} points${interval})`;
  return points > 0
    ? `and accuracy rose by ${points.toFixed(1)} points${interval}`
    : `at a cost of ${(-points).toFixed(1)} points of accuracy${interval}`;
}

/** A reduction's interval: bounds past 100% read "all"; both there, it says so once. */
function reductionRange(i: [number, number] | null | undefined): string {
  if (!i) return '';
  return i[0] >= 0.995 ? ' [95%: all, in every resample]' : range(i, reductionBound);
}

/** What the recommended λ did to the excess, in words: past 100% is "all of it", never "102%". */
function cutWords(red: number | null): string {
  if (red === null) return 'cut it by an amount that cannot be measured';
  if (red > 1.005) return 'removed all of it (its bias went below the noise floor)';
  if (red >= 0.995) return 'removed all of it (down to the noise floor)';
  return `cut it by ${reductionText(red)}`;
}

/**
 * The sweep in one or two plain sentences, from the same numbers as the table: how the undebiased
 * student's bias above the noise floor compares with the teacher's, and what the recommended λ
 * (chosen on validation) did to it and to accuracy.
 */
export function takeaway(result: ExperimentResult): string | null {
  // A sweep of several series (methods, or a method at several settings): the series whose recommended
  // λ cut the most on validation speaks, and the sentence says how many others had one — never the first
  // series alone ("No λ > 0 reduced the bias" for T = 1 while T = 4 cut 83%).
  const all = result.recommendations ?? [];
  const qualified = all.filter((r) => r.lambda > 0);
  const lead = leadingSeries(result);
  if (!lead) return null;
  const { series, rec } = lead;
  const plain = studentAt(result, series, 0);
  if (!plain) return null;
  const t = result.teacher.fairness;
  const p = plain.fairness;
  const sentences: string[] = [];
  if (p.excessMeanAbsDisparity != null && t.excessMeanAbsDisparity != null) {
    const change = p.excessMeanAbsDisparity - t.excessMeanAbsDisparity;
    const rel = biasIncrease(p.excessMeanAbsDisparity, t.excessMeanAbsDisparity);
    // A figure ×100 with a true minus sign, as the change beside it has.
    const x100 = (v: number) => (100 * v).toFixed(1).replace(/^-/, '−');
    const figures = `its mean |disparity| above the noise floor is ${x100(p.excessMeanAbsDisparity)} against the teacher’s ${x100(t.excessMeanAbsDisparity)} (×100; change ${change >= 0 ? '+' : '−'}${Math.abs(100 * change).toFixed(1)}${range(plain.excessChangeVsTeacherInterval, x100)}`;
    // A teacher with nothing above its floor (no relative change can be taken) has no bias to amplify:
    // a student above the floor then introduced it.
    if (change > 0 && rel === null)
      sentences.push(
        `The student (${plain.label}) introduced a bias the teacher does not show above its noise floor: ${figures}).`,
      );
    else
      sentences.push(
        `The student (${plain.label}) ${change > 0 ? 'amplified' : 'did not amplify'} the teacher’s bias: ${figures}${rel !== null ? `, ${changeText(rel)}` : ''}).`,
      );
  }
  if (p.counterfactualFlipRate != null && t.counterfactualFlipRate != null)
    sentences.push(
      `Changing only the group flips ${pct(p.counterfactualFlipRate)} of its test predictions (teacher: ${pct(t.counterfactualFlipRate)}).`,
    );
  if (rec && rec.lambda > 0) {
    const d = studentAt(result, series, rec.lambda);
    const red = rec.test.excessBiasReduction;
    sentences.push(
      `λ = ${rec.lambda} (recommended on the validation split) ${cutWords(red)}${reductionRange(d?.excessBiasReductionInterval)}, ${accuracyChange(
        rec.test.accuracyChangePoints,
        range(d?.accuracyChangeInterval, (v) => `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(1)}`),
      )}.`,
    );
    if (all.length > 1)
      sentences.push(
        `(${series} is the series whose recommended λ cut the most on validation; ${qualified.length - 1} of the ${all.length - 1} other series had a λ > 0 that qualified.)`,
      );
  } else if (rec)
    sentences.push(
      `No λ > 0 reduced the bias on validation within the accuracy budget${all.length > 1 ? ` in any of the ${all.length} series` : ''}.`,
    );
  return sentences.join(' ');
}
