import { describe, expect, it } from 'vitest';
import type { ExperimentResult, ModelResult } from '../engine/types';
import { bestEpoch } from './validation';

const result = { config: { debias: { warmupEpochs: 2 } } } as unknown as ExperimentResult;
const m = (role: ModelResult['role'], lambda: number, valAccuracy: number[]) =>
  ({ role, lambda, valAccuracy }) as unknown as ModelResult;

describe('the best epoch', () => {
  it('is the first epoch with the highest validation accuracy the model could choose', () => {
    expect(bestEpoch(m('teacher', 0, [0.5, 0.8, 0.8, 0.7]), result)).toBe(2);
    // A debiased student chooses from the epoch after the adversary's 2-epoch warm-up.
    expect(bestEpoch(m('student', 1, [0.5, 0.9, 0.6, 0.7]), result)).toBe(4);
    expect(bestEpoch(m('student', 0, [0.5, 0.9, 0.6, 0.7]), result)).toBe(2);
    expect(bestEpoch(m('student', 1, [0.5, 0.6]), result)).toBe(2);
    expect(bestEpoch(m('student', 0, []), result)).toBeNull();
  });
});
