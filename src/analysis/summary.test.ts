import { describe, expect, it } from 'vitest';
import type { ExperimentResult, ModelResult } from '../engine/types';
import { formatSummary, intervalNote, summarize } from './summary';

const model = (label: string, role: ModelResult['role'], acc: number, disp: number): ModelResult =>
  ({
    label,
    role,
    method: role === 'teacher' ? 'none' : 'kd',
    lambda: 0,
    size: { params: 10 },
    test: { accuracy: acc, macro: { f1: acc } },
    fairness: { meanAbsDisparity: disp, meanAbsDisparityFloor: 0.05, excessMeanAbsDisparity: disp - 0.05 },
  }) as unknown as ModelResult;

const seed = (acc: number, disp: number) =>
  ({ teacher: model('Teacher', 'teacher', acc, disp), students: [] }) as unknown as ExperimentResult;

describe('the summary over seeds', () => {
  it('cuts a t-interval to the range a figure can take, marks it, and says when n is too small to inform', () => {
    // Two seeds at 98% and 100%: mean 99, sd √2, t(0.975, 1) = 12.706 → 99 ± 12.7 → [86.3, 111.7] → [86.3, 100].
    const [row] = summarize([seed(0.98, 0.01), seed(1, 0.03)]);
    expect(row.accuracy.mean).toBeCloseTo(0.99, 12);
    expect(row.accuracy.interval![0]).toBeCloseTo(0.99 - 0.12706, 5);
    expect(row.accuracy.interval![1]).toBe(1);
    expect(row.accuracy.clipped).toBe(true);
    // mean |disparity| 0.02 ± 0.127 → its lower end is cut at 0, the excess (may be negative) at −1 only.
    expect(row.meanAbsDisparity!.interval![0]).toBe(0);
    expect(row.excessMeanAbsDisparity!.clipped).toBeUndefined();
    const rows = summarize([seed(0.98, 0.01), seed(1, 0.03)]);
    expect(intervalNote(rows)).toBe(
      'Mean over 2 seeds with its 95% Student-t interval; * = cut to the range the figure can take. With 2 seeds the t-interval is not informative (t = 12.7): read the seeds one by one, or add a seed.',
    );
    expect(formatSummary(rows)).toContain('| 99.0 [86.3, 100.0]*');
    const three = summarize([seed(0.9, 0.1), seed(0.92, 0.12), seed(0.94, 0.14)]);
    expect(three[0].accuracy.clipped).toBeUndefined();
    expect(intervalNote(three)).toBe(
      'Mean over 3 seeds with its 95% Student-t interval; * = cut to the range the figure can take.',
    );
    expect(intervalNote(summarize([seed(0.9, 0.1)]))).toMatch(/^One seed/);
  });

  it('the flip rate against the teacher in points, not a relative change on a 1% base; a reduction past 100% reads "all"', () => {
    const withFlip = (m: ModelResult, flip: number, extra: object = {}) =>
      ({ ...m, fairness: { ...m.fairness, counterfactualFlipRate: flip }, ...extra }) as ModelResult;
    const run = {
      teacher: withFlip(model('Teacher', 'teacher', 0.95, 0.1), 0.01),
      students: [
        withFlip(model('CKD λ=0', 'student', 0.95, 0.3), 0.163, { flipRateChangeVsTeacherInterval: [12.1, 20.4] }),
        withFlip({ ...model('CKD λ=4', 'student', 0.94, 0.04), lambda: 4 }, 0.02, {
          excessBiasReductionInterval: [1, 1.09],
        }),
      ],
    } as unknown as ExperimentResult;
    const rows = summarize([run]);
    const ckd = rows.find((r) => r.label === 'CKD λ=0')!;
    expect(ckd.flipRateChangeVsTeacher!.mean).toBeCloseTo(15.3, 10); // 16.3% − 1.0%, in points
    const text = formatSummary(rows);
    expect(text).toContain('flip vs teacher, pt');
    expect(text).toContain('+15.3 [+12.1, +20.4]');
    expect(text).not.toContain('+1530');
    // λ 4's excess (−0.01) is below the floor: 1 − (−0.01 / 0.25) = 104% → "all", its interval too.
    expect(rows.find((r) => r.label === 'CKD λ=4')!.excessBiasReduction!.mean).toBeCloseTo(1.04, 10);
    expect(text).toContain('| all [all, all]');
  });
});
