import { describe, expect, it } from 'vitest';
import type { ExperimentResult, MethodId, ModelResult } from '../engine/types';
import {
  disparityBars,
  lambdasOf,
  paramSurfaces,
  paretoFront,
  runPoints,
  seriesIn,
  snapLambda,
  surfaceGrid,
  surfaceDrawn,
  type ParamSurface,
} from './compare';

/** A hand-made result: 3 classes, teacher + labels-only + CKD at λ 0, 0.5, 2 + RKD at λ 0. */
function model(
  role: ModelResult['role'],
  method: MethodId,
  lambda: number,
  accuracy: number,
  disp: (number | null)[],
): ModelResult {
  const defined = disp.filter((d): d is number => d !== null);
  return {
    role,
    label: role === 'teacher' ? 'Teacher' : `${method} λ=${lambda}`,
    model: 'm',
    method,
    lambda,
    size: { params: 10, bytesFloat32: 40, bytesFloat16: 20, bytesUint8: 10, flops: 100 },
    test: { accuracy } as ModelResult['test'],
    fairness: {
      perClass: disp.map((d, i) => ({
        classIndex: i,
        disparity: d,
        recall: [d === null ? null : 0.5 + d / 2, d === null ? null : 0.5 - d / 2],
        support: [10 + i, 20 + i],
      })),
      meanAbsDisparity: defined.reduce((a, b) => a + Math.abs(b), 0) / defined.length,
    } as ModelResult['fairness'],
    valAccuracy: [],
    curve: [],
    trainSeconds: 1,
  };
}

const result = {
  dataset: { classNames: ['a', 'b', 'c'], groupNames: ['male', 'female'] },
  teacher: model('teacher', 'none', 0, 0.9, [0.1, -0.3, 0.2]),
  students: [
    model('baseline', 'none', 0, 0.8, [0.5, 0.5, 0.5]),
    model('student', 'kd', 0, 0.85, [0.2, -0.4, 0.3]),
    model('student', 'kd', 0.5, 0.84, [0.1, -0.2, 0.1]),
    model('student', 'kd', 2, 0.7, [0.0, -0.1, null]),
    model('student', 'rkd', 0, 0.83, [0.3, 0.3, 0.3]),
  ],
} as unknown as ExperimentResult;

describe('comparison of stored runs', () => {
  it('lists the λ stops of a method and snaps to the nearest', () => {
    expect(lambdasOf(result, 'CKD')).toEqual([0, 0.5, 2]);
    expect(lambdasOf(result, 'RKD')).toEqual([0]);
    expect(snapLambda([0, 0.5, 2], 1.1)).toBe(0.5);
    expect(snapLambda([0, 0.5, 2], 1.3)).toBe(2);
  });

  it('orders classes by the teacher’s |disparity| and pairs undebiased with the chosen λ', () => {
    const bars = disparityBars(result, 'CKD', 0.5);
    expect(bars.classes.map((c) => c.name)).toEqual(['b', 'c', 'a']); // |−0.3| > 0.2 > 0.1
    expect(bars.series.map((s) => s.key)).toEqual(['teacher', 'undebiased', 'debiased']);
    expect(bars.series[1].values).toEqual([-0.4, 0.3, 0.2]);
    expect(bars.series[2].values).toEqual([-0.2, 0.1, 0.1]);
    expect(bars.series[2].meanAbsDisparity).toBeCloseTo(0.4 / 3, 12);
    expect(bars.series[0].hover[0]).toBe(
      'b · Teacher<br>disparity ×100 -30.0<br>recall male 35.0% (n=11) · female 65.0% (n=21)',
    );
    // λ = 2 leaves class c undefined (a group without test examples): a gap, not a zero.
    expect(disparityBars(result, 'CKD', 2).series[2].values).toEqual([-0.1, null, 0]);
    // λ = 0 selected: no separate debiased series.
    expect(disparityBars(result, 'CKD', 0).series).toHaveLength(2);
  });

  it('marks exactly the non-dominated runs as Pareto-optimal', () => {
    expect(
      paretoFront([
        { accuracy: 0.9, bias: 0.3 },
        { accuracy: 0.8, bias: 0.1 },
        { accuracy: 0.8, bias: 0.2 },
        { accuracy: 0.7, bias: 0.1 },
        { accuracy: 0.9, bias: 0.3 },
      ]),
    ).toEqual([true, true, false, false, true]);
    const points = runPoints(result);
    // kd λ=0 (0.85, 0.3), kd λ=0.5 (0.84, 0.133), kd λ=2 (0.7, 0.05), rkd λ=0 (0.83, 0.3): rkd is dominated by kd λ=0.
    expect(points.map((p) => p.pareto)).toEqual([true, true, true, false]);
  });

  it('builds the λ × method grid with gaps where a pair was not run', () => {
    const g = surfaceGrid(result);
    expect(g.series).toEqual(['CKD', 'RKD']);
    expect(g.lambdas).toEqual([0, 0.5, 2]);
    expect(g.accuracy).toEqual([
      [0.85, 0.84, 0.7],
      [0.83, null, null],
    ]);
    expect(g.bias[1][0]).toBeCloseTo(0.3, 12);
  });

  it('a swept hyper-parameter makes a series per value and a true λ × T surface with its gaps', () => {
    const at = (T: number, lambda: number, accuracy: number, d: number) => ({
      ...model('student', 'kd', lambda, accuracy, [d, -d, d]),
      label: `CKD T=${T} λ=${lambda}`,
      series: `CKD T=${T}`,
      params: { temperature: T, alphaCE: 0.1, alphaKD: 0.9 },
    });
    const swept = {
      ...result,
      config: { sweeps: [{ method: 'kd', param: 'temperature', values: [1, 4, 8] }] },
      students: [
        model('baseline', 'none', 0, 0.8, [0.5, 0.5, 0.5]),
        at(1, 0, 0.8, 0.3),
        at(1, 2, 0.79, 0.1),
        at(4, 0, 0.82, 0.2),
        at(4, 2, 0.81, 0.05),
        at(8, 0, 0.83, 0.15),
        { ...model('student', 'rkd', 0, 0.83, [0.3, 0.3, 0.3]), label: 'RKD λ=0', series: 'RKD' },
      ],
    } as unknown as ExperimentResult;
    expect(seriesIn(swept)).toEqual(['CKD T=1', 'CKD T=4', 'CKD T=8', 'RKD']);
    expect(lambdasOf(swept, 'CKD T=8')).toEqual([0]);
    // λ = 0 of the same T is the undebiased reference: never another T's.
    expect(disparityBars(swept, 'CKD T=4', 2).series.map((b) => b.label)).toEqual([
      'Teacher',
      'CKD T=4 λ=0',
      'CKD T=4 λ=2',
    ]);
    const [surface] = paramSurfaces(swept);
    expect(surface).toMatchObject({
      method: 'kd',
      param: 'temperature',
      axis: 'T',
      values: [1, 4, 8],
      lambdas: [0, 2],
    });
    expect(surface.accuracy).toEqual([
      [0.8, 0.79],
      [0.82, 0.81],
      [0.83, null],
    ]);
    expect(surface.bias[0][0]).toBeCloseTo(0.3, 12);
    expect(surface.labels[2]).toEqual(['CKD T=8 λ=0', null]);
    // One λ only, or no sweep: no surface (the methods stay lines).
    expect(paramSurfaces({ ...swept, students: swept.students.filter((s) => s.lambda === 0) })).toEqual([]);
    expect(paramSurfaces({ ...result, config: {} } as unknown as ExperimentResult)).toEqual([]);
  });

  it('draws a surface only over a full grid of at least 3 × 3 measured runs; a 2 × 2 grid shows its runs alone', () => {
    const grid = (values: number[], lambdas: number[], hole = false) =>
      ({
        method: 'kd',
        param: 'temperature',
        axis: 'T',
        values,
        lambdas,
        accuracy: values.map((_, i) => lambdas.map((_, j) => (hole && i === 0 && j === 0 ? null : 0.9))),
        bias: [],
        excess: [],
        labels: [],
      }) as unknown as ParamSurface;
    expect(surfaceDrawn(grid([1, 4], [0, 2]))).toBe(false);
    expect(surfaceDrawn(grid([1, 2, 4], [0, 2]))).toBe(false);
    expect(surfaceDrawn(grid([1, 2, 4], [0, 1, 2]))).toBe(true);
    expect(surfaceDrawn(grid([1, 2, 4], [0, 1, 2], true))).toBe(false);
  });
});
