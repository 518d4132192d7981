import { describe, expect, it } from 'vitest';
import { duplicateNotes, planRuns, uniqueValues } from './plan';
import { presetConfig } from './options';

describe('the plan of a sweep', () => {
  it('holds each (method, parameters, λ) once however often the config lists it', () => {
    const config = { ...presetConfig('tiny'), lambdas: [0, 0, 1, -0, 1, 2], baseline: true };
    config.methods = [...config.methods, ...config.methods];
    const runs = planRuns(config);
    expect(runs.map((r) => r.label)).toEqual(['Labels only', 'CKD λ=0', 'CKD λ=1', 'CKD λ=2']);
    expect(new Set(runs.map((r) => r.label)).size).toBe(runs.length);
    expect(duplicateNotes(config)).toEqual([
      'λ 0, 1 was listed more than once; each λ is trained once.',
      'Method kd was listed more than once; each method is trained once.',
    ]);
    expect(duplicateNotes(presetConfig('tiny'))).toEqual([]);
  });

  it('keeps a list in its first order, with −0 and 0 as one value', () => {
    expect(uniqueValues([2, 0, -0, 2, 1])).toEqual({ values: [2, 0, 1], repeated: [0, 2] });
    expect(Object.is(uniqueValues([-0]).values[0], 0)).toBe(true);
  });
});
