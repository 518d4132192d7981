import { describe, expect, it } from 'vitest';
import { objectiveOf } from './objective';

describe('a student’s objective', () => {
  it('is the task loss less λ·adversary, by hand', () => {
    expect(objectiveOf({ CE: 0.5, KD: 0.2, total: 0.7, adversary: 0.69, λ: 2 })).toBeCloseTo(0.7 - 2 * 0.69, 12);
    expect(objectiveOf({ CE: 0.9, adversary: 0.6, λ: 0.5 })).toBeCloseTo(0.6, 12);
  });
  it('is the task loss where no adversary pulls, and nothing without a task loss', () => {
    expect(objectiveOf({ CE: 0.4, KD: 0.1, total: 0.5 })).toBe(0.5);
    expect(objectiveOf({ CE: 0.4, adversary: 0.7 })).toBe(0.4); // λ 0: the adversary trains, the student ignores it
    expect(objectiveOf({ adversary: 0.7 })).toBeUndefined();
  });
  it('tells λ 1, 2 and 4 apart where their task losses coincide', () => {
    const lines = [1, 2, 4].map((λ) => objectiveOf({ total: 0.8, adversary: 0.68, λ }));
    expect(new Set(lines).size).toBe(3);
  });
});
