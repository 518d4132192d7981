import { describe, expect, it } from 'vitest';
import {
  duplicateNotes,
  plannedStudentCount,
  planRuns,
  planSizeProblem,
  seriesOf,
  uniqueValues,
  validateExperiment,
} from './plan';
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

  it('a hyper-parameter sweep makes one series per value, each × λ, with the value in every label and in the params', () => {
    const config = {
      ...presetConfig('tiny'),
      methods: [{ id: 'kd' as const }, { id: 'rkd' as const }],
      lambdas: [0, 1],
      sweeps: [{ method: 'kd' as const, param: 'T', values: [1, 2, 2, 8] }],
      baseline: false,
    };
    const runs = planRuns(config);
    expect(runs.map((r) => r.label)).toEqual([
      'CKD T=1 λ=0',
      'CKD T=1 λ=1',
      'CKD T=2 λ=0',
      'CKD T=2 λ=1',
      'CKD T=8 λ=0',
      'CKD T=8 λ=1',
      'RKD λ=0',
      'RKD λ=1',
    ]);
    expect(runs.map((r) => r.series)).toEqual([
      'CKD T=1',
      'CKD T=1',
      'CKD T=2',
      'CKD T=2',
      'CKD T=8',
      'CKD T=8',
      'RKD',
      'RKD',
    ]);
    // The swept value replaces the default (4); the other parameters keep theirs.
    expect(runs[2].params).toEqual({ temperature: 2, alphaCE: 0.1, alphaKD: 0.9 });
    expect(validateExperiment(config)).toEqual([]);
    expect(duplicateNotes(config)).toEqual(['kd.T listed 2 more than once; each value is trained once.']);
    // Two sweeps of one method: every combination, the first sweep outermost.
    const two = planRuns({
      ...config,
      methods: [{ id: 'kd' }],
      lambdas: [0],
      sweeps: [
        { method: 'kd', param: 'temperature', values: [1, 4] },
        { method: 'kd', param: 'alphaKD', values: [0.5, 0.9] },
      ],
    });
    expect(two.map((r) => r.label)).toEqual([
      'CKD T=1 alphaKD=0.5 λ=0',
      'CKD T=1 alphaKD=0.9 λ=0',
      'CKD T=4 alphaKD=0.5 λ=0',
      'CKD T=4 alphaKD=0.9 λ=0',
    ]);
  });

  it('a sweep that cannot be planned is refused with why', () => {
    const base = { ...presetConfig('tiny'), methods: [{ id: 'kd' as const }] };
    expect(validateExperiment({ ...base, sweeps: [{ method: 'rkd', param: 'distanceWeight', values: [1] }] })).toEqual([
      "The sweep over RKD's distanceWeight needs RKD among the methods.",
    ]);
    expect(validateExperiment({ ...base, sweeps: [{ method: 'kd', param: 'beta', values: [1] }] })).toEqual([
      'CKD has no hyper-parameter "beta" (it has T, alphaCE, alphaKD).',
    ]);
    expect(validateExperiment({ ...base, sweeps: [{ method: 'kd', param: 'T', values: [0.1, 4] }] })).toEqual([
      'CKD: Temperature T must be between 0.5 and 50 (the sweep has 0.1).',
    ]);
    expect(
      validateExperiment({
        ...base,
        sweeps: [
          { method: 'kd', param: 'T', values: [1] },
          { method: 'kd', param: 'temperature', values: [2] },
        ],
      }),
    ).toEqual(["CKD's Temperature T is swept twice."]);
    const many = Array.from({ length: 600 }, (_, i) => 0.5 + i * 0.05);
    expect(
      validateExperiment({ ...base, lambdas: [0, 1], sweeps: [{ method: 'kd', param: 'T', values: many }] }),
    ).toEqual(['The plan holds 1,201 students (methods × swept values × λ); at most 1,000 fit one sweep.']);
  });

  it('a plan’s size is the product of its lists, counted without building it, over seeds too', () => {
    const base = { ...presetConfig('tiny'), baseline: true, lambdas: [0, 1, 1, -0, 2] };
    const values = (n: number) => Array.from({ length: n }, (_, i) => 1 + i * 0.01);
    const config = {
      ...base,
      methods: [{ id: 'kd' as const }, { id: 'dkd' as const, lambdas: [0, 4] }, { id: 'kd' as const }],
      sweeps: [{ method: 'kd' as const, param: 'T', values: [1, 2, 2, 8] }],
    };
    // Labels only + CKD 3 T × 3 λ + DKD 2 λ = 12, what the plan builds.
    expect(plannedStudentCount(config)).toBe(12);
    expect(planRuns(config)).toHaveLength(12);
    expect(planSizeProblem(config, 83)).toBeNull();
    expect(planSizeProblem(config, 84)).toBe(
      'The plan holds 12 students a seed × 84 seeds = 1,008 (methods × swept values × λ × seeds); at most 1,000 fit one sweep.',
    );
    // Two sweeps of 1,000 values × 100 λ: 10^8 students, refused from the counts alone.
    const huge = {
      ...base,
      baseline: false,
      methods: [{ id: 'dkd' as const }],
      lambdas: Array.from({ length: 100 }, (_, i) => i),
      sweeps: [
        { method: 'dkd' as const, param: 'alpha', values: values(1000) },
        { method: 'dkd' as const, param: 'beta', values: values(1000) },
      ],
    };
    expect(plannedStudentCount(huge)).toBe(1e8);
    expect(validateExperiment(huge)).toEqual([
      'The plan holds 100,000,000 students (methods × swept values × λ); at most 1,000 fit one sweep.',
    ]);
  });

  it('a result stored before sweeps existed has its method as its series', () => {
    expect(seriesOf({ method: 'kd' })).toBe('CKD');
    expect(seriesOf({ method: 'none' })).toBe('Labels only');
    expect(seriesOf({ method: 'kd', series: 'CKD T=2' })).toBe('CKD T=2');
  });
});
