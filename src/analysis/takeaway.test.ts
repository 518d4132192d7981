import { describe, expect, it } from 'vitest';
import type { ExperimentResult, ModelResult } from '../engine/types';
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
        'λ = 2 (recommended on the validation split) cut it by 83% [95%: 60% to 100%], and accuracy rose by 3.3 points [95%: +2.0 to +4.6].',
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
