import { describe, expect, it } from 'vitest';
import type { StoredRun } from '../engine/types';
import { parallelView } from './runsParallel';

const student = (lambda: number, accuracy: number, excess: number) => ({
  role: 'student',
  label: `CKD λ=${lambda}`,
  method: 'kd',
  lambda,
  test: { accuracy },
  fairness: { excessMeanAbsDisparity: excess },
});

const run = (seed: number, lr: number, teacherAcc: number, extra: Record<string, unknown> = {}) =>
  ({
    id: `r${seed}-${lr}`,
    name: `run ${seed}`,
    createdAt: '',
    result: {
      config: {
        name: 'Quick story',
        seed,
        learningRate: lr,
        lambdas: [0, 2],
        teacherEpochs: 6,
        studentEpochs: 10,
        batchSize: 32,
        dataset: {
          kind: 'synthetic',
          seed: 7,
          biasStrength: 0.8,
          cueStrength: 0.8,
          labelNoise: 0,
          examples: 1200,
          size: 20,
        },
        ...extra,
      },
      teacher: { test: { accuracy: teacherAcc }, fairness: { excessMeanAbsDisparity: 0.01 } },
      students: [student(0, 0.9, 0.3), student(2, 0.92, 0.06)],
      recommendations: [{ method: 'kd', lambda: 2, validation: { excessBiasReduction: 0.7 }, test: {} }],
    },
  }) as unknown as StoredRun;

describe('stored runs setting by setting', () => {
  it('an axis for each setting that differs (found by itself), then the outcomes; groups by all but the seed', () => {
    const v = parallelView([run(0, 0.005, 0.95), run(1, 0.005, 0.97), run(0, 0.01, 0.9)]);
    expect(v.axes.map((a) => a.label)).toEqual([
      'seed',
      'learning rate',
      'teacher top-1 %',
      'teacher excess ×100',
      'student (λ = 0) top-1 %',
      'student (λ = 0) excess ×100',
      'recommended λ: excess cut %',
    ]);
    expect(v.axes[0].values).toEqual([0, 1, 0]);
    expect(v.axes[2].values).toEqual([95, 97, 90]);
    // The recommended λ = 2 cut the plain student's excess from 0.3 to 0.06: 80%.
    expect(v.axes[6].values[0]).toBeCloseTo(80, 10);
    // Seeds 0 and 1 of one setup are a group; the other learning rate its own.
    expect(v.group).toEqual([0, 0, 1]);
    expect(v.groupNames).toEqual(['Quick story · λ 0, 2 (n = 2)', 'Quick story · λ 0, 2 (n = 1)']);
  });
});
