import { describe, expect, it } from 'vitest';
import type { ModelResult } from '../engine/types';
import { architectureTimings } from './architectureTiming';

const m = (label: string, model: string, params: number, latencyMs: number, spread: [number, number]) =>
  ({
    label,
    role: label === 'Teacher' ? 'teacher' : 'student',
    model,
    size: { params, latencyMs, latencySpreadMs: spread },
  }) as unknown as ModelResult;

describe('speed per architecture', () => {
  it('twins of one architecture read one pooled timing (median, widest spread); other architectures their own', () => {
    const models = [
      m('Teacher', 'tiny-teacher', 17_600, 2.0, [1.9, 2.4]),
      m('CKD λ=0', 'small-student', 2_432, 1.05, [0.4, 1.9]),
      m('CKD λ=1', 'small-student', 2_432, 0.44, [0.41, 0.62]),
      m('CKD λ=2', 'small-student', 2_432, 0.9, [0.6, 1.1]),
      m('Big', 'other-student', 9_000, 1.5, [1.4, 1.6]),
    ];
    const timing = architectureTimings(models);
    const twins = models.slice(1, 4).map(timing);
    expect(twins).toEqual([twins[0], twins[0], twins[0]]);
    expect(twins[0]).toEqual({ latencyMs: 0.9, latencySpreadMs: [0.4, 1.9] });
    expect(timing(models[0])).toEqual({ latencyMs: 2.0, latencySpreadMs: [1.9, 2.4] });
    expect(timing(models[4])).toEqual({ latencyMs: 1.5, latencySpreadMs: [1.4, 1.6] });
  });
});
