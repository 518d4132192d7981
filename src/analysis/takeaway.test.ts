import { describe, expect, it } from 'vitest';
import type { ExperimentResult, ModelResult } from '../engine/types';
import { leadingSeries } from './compare';
import { takeaway } from './takeaway';

const m = (label: string, lambda: number, excess: number, flip: number, extra: Partial<ModelResult> = {}) =>
  ({
    label,
    role: label === 'Teacher' ? 'teacher' : 'student',
    method: label === 'Teacher' ? 'none' : 'kd',
    lambda,
    fairness: { excessMeanAbsDisparity: excess, counterfactualFlipRate: flip },
    ...extra,
  }) as unknown as ModelResult;

describe('the takeaway sentence', () => {
  it('says what the table says: amplification above the floor, flips, and the recommended λ', () => {
    const result = {
      teacher: m('Teacher', 0, 0.02, 0.01),
      students: [
        m('CKD λ=0', 0, 0.31, 0.37, { excessChangeVsTeacherInterval: [0.2, 0.42] }),
        m('CKD λ=2', 2, 0.05, 0.05, { excessBiasReductionInterval: [0.6, 1], accuracyChangeInterval: [2, 4.6] }),
      ],
      recommendations: [{ method: 'kd', lambda: 2, test: { excessBiasReduction: 0.83, accuracyChangePoints: 3.31 } }],
    } as unknown as ExperimentResult;
    expect(takeaway(result)).toBe(
      'The student (CKD λ=0) amplified the teacher’s bias: its mean |disparity| above the noise floor is 31.0 against the teacher’s 2.0 (×100; change +29.0 [95%: 20.0 to 42.0], +1450%). ' +
        'Changing only the group flips 37% of its test predictions (teacher: 1%). ' +
        'λ = 2 (recommended on the validation split) cut it by 83% [95%: 60% to all], and accuracy rose by 3.3 points [95%: +2.0 to +4.6].',
    );
  });

  it('a teacher with nothing above its floor: the student introduced the bias; a cut past 100% removed all of it', () => {
    const result = (reduction: number, interval: [number, number]) =>
      ({
        teacher: m('Teacher', 0, 0, 0.01),
        students: [
          m('CKD λ=0', 0, 0.314, 0.2, { excessChangeVsTeacherInterval: [0.25, 0.38] }),
          m('CKD λ=4', 4, -0.01, 0.02, { excessBiasReductionInterval: interval, accuracyChangeInterval: [-2, 0] }),
        ],
        recommendations: [
          { method: 'kd', lambda: 4, test: { excessBiasReduction: reduction, accuracyChangePoints: -1 } },
        ],
      }) as unknown as ExperimentResult;
    const text = takeaway(result(1.02, [1.0, 1.09]))!;
    expect(text).toContain(
      'The student (CKD λ=0) introduced a bias the teacher does not show above its noise floor: its mean |disparity| above the noise floor is 31.4 against the teacher’s 0.0 (×100; change +31.4 [95%: 25.0 to 38.0]).',
    );
    expect(text).not.toContain('amplified');
    expect(text).toContain(
      'λ = 4 (recommended on the validation split) removed all of it (its bias went below the noise floor) [95%: all, in every resample], at a cost of 1.0 points',
    );
    expect(takeaway(result(0.94, [0.77, 1.01]))).toContain('cut it by 94% [95%: 77% to all]');
    expect(takeaway(result(1.0, [0.9, 1.0]))).toContain(
      'removed all of it (down to the noise floor) [95%: 90% to all]',
    );
  });

  it('a student whose excess fell past the teacher’s to below its floor: “all gone”, never “−101%”', () => {
    const result = {
      teacher: m('Teacher', 0, 0.428, 0.01),
      students: [m('CKD λ=0', 0, -0.005, 0.02, { excessChangeVsTeacherInterval: [-0.434, -0.428] })],
      recommendations: [{ method: 'kd', lambda: 0, test: { excessBiasReduction: null, accuracyChangePoints: 0 } }],
    } as unknown as ExperimentResult;
    const text = takeaway(result)!;
    expect(text).toContain(
      'did not amplify the teacher’s bias: its mean |disparity| above the noise floor is −0.5 against the teacher’s 42.8 (×100; change −43.3 [95%: −43.4 to −42.8], all gone (below the floor)).',
    );
    expect(text).not.toMatch(/−10\d%/);
  });

  it('a sweep of several series speaks of the one whose recommended λ cut the most, and counts the others', () => {
    const series = (name: string, extra: Partial<ModelResult> = {}) => ({ series: name, ...extra });
    const result = {
      teacher: m('Teacher', 0, 0.02, 0.01),
      students: [
        m('CKD T=1 λ=0', 0, 0.2, 0.2, series('CKD T=1')),
        m('CKD T=1 λ=2', 2, 0.21, 0.2, series('CKD T=1')),
        m('CKD T=4 λ=0', 0, 0.3, 0.3, series('CKD T=4')),
        m('CKD T=4 λ=2', 2, 0.05, 0.05, series('CKD T=4')),
      ],
      recommendations: [
        {
          series: 'CKD T=1',
          lambda: 0,
          validation: { excessBiasReduction: null },
          test: { excessBiasReduction: null, accuracyChangePoints: 0 },
        },
        {
          series: 'CKD T=4',
          lambda: 2,
          validation: { excessBiasReduction: 0.7 },
          test: { excessBiasReduction: 0.83, accuracyChangePoints: -0.5 },
        },
      ],
    } as unknown as ExperimentResult;
    const text = takeaway(result)!;
    expect(text).toContain('The student (CKD T=4 λ=0)');
    expect(text).toContain('λ = 2 (recommended on the validation split) cut it by 83%');
    expect(text).toContain(
      '(CKD T=4 is the series whose recommended λ cut the most on validation; 0 of the 1 other series had a λ > 0 that qualified.)',
    );
    expect(text).not.toContain('No λ > 0');
    // The comparison charts open on the same series (runsSlice's defaultView reads leadingSeries).
    expect(leadingSeries(result)?.series).toBe('CKD T=4');
    result.recommendations![1] = { ...result.recommendations![1], lambda: 0 };
    expect(leadingSeries(result)?.series).toBe('CKD T=1'); // none qualified: the first recommendation's
    expect(takeaway(result)).toContain(
      'No λ > 0 reduced the bias on validation within the accuracy budget in any of the 2 series.',
    );
  });

  it('a loss of accuracy reads as a cost, a gain as a gain (the field is Δaccuracy, gain positive)', () => {
    const result = (points: number) =>
      ({
        teacher: m('Teacher', 0, 0.02, 0.01),
        students: [m('CKD λ=0', 0, 0.31, 0.37), m('CKD λ=1', 1, 0.1, 0.1)],
        recommendations: [
          { method: 'kd', lambda: 1, test: { excessBiasReduction: 0.5, accuracyChangePoints: points } },
        ],
      }) as unknown as ExperimentResult;
    expect(takeaway(result(-0.84))).toMatch(/cut it by 50%, at a cost of 0\.8 points of accuracy\.$/);
    expect(takeaway(result(1.26))).toMatch(/cut it by 50%, and accuracy rose by 1\.3 points\.$/);
    expect(takeaway(result(0.01))).toMatch(/cut it by 50%, with accuracy unchanged \(0\.0 points\)\.$/);
  });
});
