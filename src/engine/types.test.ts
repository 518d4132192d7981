import { describe, expect, it } from 'vitest';
import { withCurrentFieldNames } from './types';

describe('results stored before a rename', () => {
  it('read Δaccuracy under its current name; results written since are left as they are', () => {
    const old = {
      students: [{ label: 'CKD λ=1', accuracyCostInterval: [-1, 2] }],
      recommendations: [{ validation: { accuracyCostPoints: -0.5 }, test: { accuracyCostPoints: 1.5 } }],
    };
    expect(withCurrentFieldNames(structuredClone(old))).toEqual({
      students: [{ label: 'CKD λ=1', accuracyChangeInterval: [-1, 2] }],
      recommendations: [{ validation: { accuracyChangePoints: -0.5 }, test: { accuracyChangePoints: 1.5 } }],
    });
    const now = { students: [{ accuracyChangeInterval: [0, 1] }], recommendations: [] };
    expect(withCurrentFieldNames(structuredClone(now))).toEqual(now);
  });
});
