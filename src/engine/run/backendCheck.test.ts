import { describe, expect, it } from 'vitest';
import type { ExperimentResult, ModelResult } from '../types';
import { compareTraces, TOLERANCES, type BackendTrace } from './backendCheck';

/** A model with the fields the comparison reads. */
function model(label: string, losses: number[], predictions: number[], accuracy: number, disparity: number) {
  return {
    label,
    curve: losses.map((CE, i) => ({ step: i + 1, epoch: 1, terms: { CE } })),
    testPredictions: predictions,
    test: { accuracy },
    fairness: { meanAbsDisparity: disparity },
  } as unknown as ModelResult;
}

const predictions = Array.from({ length: 100 }, (_, i) => i % 4);

/** A teacher with gradients [[1, -2], [0.5], [1e-9]] and one student with [[4]]. */
function trace(patch: { grads?: number[][]; studentPredictions?: number[]; studentLoss?: number } = {}): BackendTrace {
  const grads = patch.grads ?? [[1, -2], [0.5], [1e-9], [4]];
  return {
    backend: { name: 'wasm', fallbacks: [] },
    gradients: grads.map((g) => Float32Array.from(g)),
    gradientNames: ['teacher: conv/kernel', 'teacher: bn/gamma', 'teacher: bn/beta', 'student: logits/kernel'],
    gradientModels: [
      [0, 3],
      [3, 4],
    ],
    result: {
      teacher: model('Teacher', [1.2, 1.0], predictions, 0.9, 0.1),
      students: [model('CKD λ=1', [2, patch.studentLoss ?? 1.5], patch.studentPredictions ?? predictions, 0.8, 0.2)],
    } as unknown as ExperimentResult,
  };
}

const row = (rows: ReturnType<typeof compareTraces>, start: string) => rows.find((r) => r.quantity.startsWith(start))!;

describe('backend comparison', () => {
  it('identical traces agree exactly on every row', () => {
    const rows = compareTraces(trace(), trace());
    expect(rows.map((r) => [r.value, r.ok])).toEqual([
      [0, true],
      [0, true],
      [0, true],
      [1, true],
      [0, true],
      [0, true],
    ]);
  });

  it('a wrong gradient is named, measured against its own scale', () => {
    // conv/kernel: |Δ| = 0.01 against its largest |g| = 2 → 5e-3.
    const r = row(compareTraces(trace(), trace({ grads: [[1, -2.01], [0.5], [1e-9], [4]] })), 'gradient');
    expect(r.value).toBeCloseTo(0.005, 6);
    expect(r.worst).toBe('teacher: conv/kernel');
    expect(r.ok).toBe(false);
  });

  it('a gradient that is zero in exact arithmetic is judged against 1% of its model’s largest gradient', () => {
    // bn/beta: |Δ| = 1e-8 against max(1e-9, 0.01 × 2) → 5e-7: float noise, not a disagreement.
    const r = row(compareTraces(trace(), trace({ grads: [[1, -2], [0.5], [1.1e-8], [4]] })), 'gradient');
    expect(r.value).toBeCloseTo(1e-8 / 0.02, 12);
    expect(r.ok).toBe(true);
  });

  it('later losses relative to the larger of the two; predictions by the share that agree', () => {
    const flipped = predictions.map((p, i) => (i < 3 ? (p + 1) % 4 : p));
    const rows = compareTraces(trace(), trace({ studentLoss: 1.53, studentPredictions: flipped }));
    expect(row(rows, 'loss at every step').value).toBeCloseTo(0.03 / 1.53, 9);
    expect(row(rows, 'loss at every step').ok).toBe(0.03 / 1.53 <= TOLERANCES.anyLoss);
    expect(row(rows, 'test predictions').value).toBe(0.97);
    expect(row(rows, 'test predictions').ok).toBe(true);
    const four = predictions.map((p, i) => (i < 4 ? (p + 1) % 4 : p));
    expect(row(compareTraces(trace(), trace({ studentPredictions: four })), 'test predictions').ok).toBe(false);
  });
});
