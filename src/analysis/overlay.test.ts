import { describe, expect, it } from 'vitest';
import type { ModelResult, StoredRun } from '../engine/types';
import { overlay } from './overlay';

const model = (label: string, acc: number, excess: number | null, raw: number, curve: number[]): ModelResult =>
  ({
    label,
    test: { accuracy: acc },
    fairness: { excessMeanAbsDisparity: excess, meanAbsDisparity: raw },
    curve: curve.map((v, i) => ({
      step: i + 1,
      epoch: 1,
      terms: label === 'Teacher' ? { CE: v } : { CE: v, total: 2 * v },
    })),
  }) as unknown as ModelResult;

const run = (id: string, students: ModelResult[]): StoredRun =>
  ({
    id,
    name: `run ${id}`,
    createdAt: '',
    result: { teacher: model('Teacher', 0.9, 0.01, 0.05, [1, 0.5]), students },
  }) as unknown as StoredRun;

describe('overlay of stored runs', () => {
  it('lines up each model across runs, with nulls where a run lacks it, and one curve per run × model', () => {
    const o = overlay([
      run('a', [model('CKD λ=0', 0.8, 0.3, 0.35, [2, 1])]),
      run('b', [model('CKD λ=0', 0.82, null, 0.2, [3]), model('RKD λ=0', 0.7, 0.1, 0.15, [4])]),
    ]);
    expect(o.labels).toEqual(['Teacher', 'CKD λ=0', 'RKD λ=0']);
    expect(o.accuracy).toEqual([
      [0.9, 0.8, null],
      [0.9, 0.82, 0.7],
    ]);
    // Excess where the run has it, raw mean |disparity| where it does not.
    expect(o.bias).toEqual([
      [0.01, 0.3, null],
      [0.01, 0.2, 0.1],
    ]);
    expect(o.curves).toHaveLength(5);
    expect(o.curves[1]).toEqual({ run: 'run a', label: 'CKD λ=0', steps: [1, 2], loss: [4, 2] }); // its total
    expect(o.curves[0].loss).toEqual([1, 0.5]); // the teacher's CE
  });
});
