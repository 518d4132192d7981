import { describe, expect, it } from 'vitest';
import type { ExperimentResult, ModelResult, StoredRun } from '../engine/types';
import { seedGroups } from './seedGroups';

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

function run(id: string, seed: number, lambdas: number[], acc: number): StoredRun {
  const result = {
    config: { name: 'Tiny', seed, lambdas, methods: [{ id: 'kd' }] },
    teacher: model('Teacher', 'teacher', 0.9, 0.1),
    students: [model('CKD λ=0', 'student', acc, 0.2)],
  } as unknown as ExperimentResult;
  return { id, name: id, createdAt: '', result };
}

describe('runs grouped by setup across seeds', () => {
  it('groups runs that differ only in seed and gives mean with a 95% t-interval', () => {
    const groups = seedGroups([
      run('a', 0, [0], 0.8),
      run('b', 1, [0], 0.9),
      run('c', 2, [0], 0.85),
      run('d', 0, [0, 1], 0.7),
    ]);
    expect(groups).toHaveLength(1);
    expect(groups[0].seeds).toEqual([0, 1, 2]);
    const student = groups[0].rows.find((r) => r.label === 'CKD λ=0')!;
    expect(student.accuracy.mean).toBeCloseTo(0.85, 12);
    // sd = 0.05, n = 3: half-width t(0.975, 2)·0.05/√3.
    const half = (4.303 * 0.05) / Math.sqrt(3);
    expect(student.accuracy.interval![0]).toBeCloseTo(0.85 - half, 10);
    expect(student.accuracy.intervalKind).toBe('seeds');
    // Student bias 0.2 vs teacher 0.1 in every seed: +100% with no spread.
    expect(student.biasVsTeacher!.mean).toBeCloseTo(1, 12);
    expect(student.excessBiasVsTeacher!.mean).toBeCloseTo(2, 12);
  });

  it('a second run of the same seed is not counted twice, and a lone setup makes no group', () => {
    expect(seedGroups([run('a', 0, [0], 0.8), run('b', 0, [0], 0.9)])).toEqual([]);
  });
});
