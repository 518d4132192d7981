/**
 * What the charts show, computed from stored results only (no DOM, no tfjs): the λ values that
 * have runs, the disparity bars of teacher / undebiased / debiased student, the λ × method grid of
 * the surface and its Pareto front. Moving the λ slider re-reads these; nothing is retrained.
 */
import { METHOD_INFO } from '../engine/distill/catalog';
import type { ExperimentResult, MethodId, ModelResult } from '../engine/types';

/** Each method's short name (CKD, RKD, …), from the catalog. */
export const METHOD_SHORT = Object.fromEntries(METHOD_INFO.map((m) => [m.id, m.short])) as Record<MethodId, string>;

/** Distilled students (not the labels-only baseline), optionally of one method. */
export function studentsOf(result: ExperimentResult, method?: MethodId): ModelResult[] {
  return result.students.filter((s) => s.role === 'student' && (method === undefined || s.method === method));
}

export function methodsOf(result: ExperimentResult): MethodId[] {
  return [...new Set(studentsOf(result).map((s) => s.method))];
}

/** The λ values that have a run for the method, ascending: the slider's stops. */
export function lambdasOf(result: ExperimentResult, method: MethodId): number[] {
  return [...new Set(studentsOf(result, method).map((s) => s.lambda))].sort((a, b) => a - b);
}

export function studentAt(result: ExperimentResult, method: MethodId, lambda: number): ModelResult | undefined {
  return studentsOf(result, method).find((s) => s.lambda === lambda);
}

/** The slider position nearest to a value (the slider snaps to λ values that have runs). */
export function snapLambda(lambdas: number[], value: number): number {
  if (lambdas.length === 0) throw new Error('no λ values to snap to');
  return lambdas.reduce((best, l) => (Math.abs(l - value) < Math.abs(best - value) ? l : best), lambdas[0]);
}

export interface BarSeries {
  key: 'teacher' | 'undebiased' | 'debiased';
  label: string;
  meanAbsDisparity: number | null;
  /** The model's noise floor of mean |disparity| (what equal recall in both groups would score). */
  floor: number | null;
  /** Signed disparity per class, in `classes` order; null where a group had no test example. */
  values: (number | null)[];
  /** Per class, the |disparity| sampling alone gives at this model's recall (the band drawn around 0). */
  floors: (number | null)[];
  /** Per class, the 95% bootstrap interval of the signed disparity (error bars); null where not measured. */
  errors: ([number, number] | null)[];
  hover: string[];
}

export interface DisparityBars {
  classes: { index: number; name: string }[];
  series: BarSeries[];
}

const r = (v: number | null) => (v === null ? '—' : `${(100 * v).toFixed(1)}%`);

/**
 * Per-class signed disparity of the teacher, the undebiased student (λ = 0 of the method) and the
 * debiased student at λ, classes sorted by the teacher's |disparity| (largest first).
 */
export function disparityBars(result: ExperimentResult, method: MethodId, lambda: number): DisparityBars {
  const [g0, g1] = result.dataset.groupNames;
  const undebiased = studentAt(result, method, 0);
  const debiased = lambda > 0 ? studentAt(result, method, lambda) : undefined;
  const models: [BarSeries['key'], ModelResult | undefined][] = [
    ['teacher', result.teacher],
    ['undebiased', undebiased],
    ['debiased', debiased],
  ];
  const teacherDisp = result.teacher.fairness.perClass;
  const order = teacherDisp
    .map((c) => c.classIndex)
    .sort((a, b) => Math.abs(teacherDisp[b].disparity ?? -1) - Math.abs(teacherDisp[a].disparity ?? -1) || a - b);
  const series: BarSeries[] = [];
  for (const [key, m] of models) {
    if (!m) continue;
    const byClass = new Map(m.fairness.perClass.map((c) => [c.classIndex, c]));
    series.push({
      key,
      label: m.label,
      meanAbsDisparity: m.fairness.meanAbsDisparity,
      floor: m.fairness.meanAbsDisparityFloor ?? null,
      values: order.map((i) => byClass.get(i)?.disparity ?? null),
      floors: order.map((i) => byClass.get(i)?.floor ?? null),
      errors: order.map((i) => byClass.get(i)?.interval ?? null),
      hover: order.map((i) => {
        const c = byClass.get(i)!;
        const floor = c.floor === undefined || c.floor === null ? '' : ` · noise floor ±${r(c.floor)}`;
        return `${result.dataset.classNames[i]} · ${m.label}<br>recall ${g0} ${r(c.recall[0])} (n=${c.support[0]}) · ${g1} ${r(c.recall[1])} (n=${c.support[1]})${floor}`;
      }),
    });
  }
  return { classes: order.map((i) => ({ index: i, name: result.dataset.classNames[i] })), series };
}

export interface RunPoint {
  label: string;
  method: MethodId;
  lambda: number;
  /** Test figures: what the scatter shows. */
  accuracy: number;
  bias: number | null;
  excess: number | null;
  /** On the Pareto front of the figures the front was chosen on (validation when the run has them). */
  pareto: boolean;
}

/**
 * Non-dominated points: no other point has accuracy ≥ and bias ≤ with one of them strict.
 * (Higher accuracy and lower mean |disparity| are both better.)
 */
export function paretoFront(points: { accuracy: number; bias: number | null }[]): boolean[] {
  return points.map(
    (p, i) =>
      p.bias !== null &&
      !points.some(
        (q, j) =>
          j !== i &&
          q.bias !== null &&
          q.accuracy >= p.accuracy &&
          q.bias <= p.bias! &&
          (q.accuracy > p.accuracy || q.bias < p.bias!),
      ),
  );
}

/** Where the Pareto front of a run is chosen: validation (accuracy, excess mean |disparity|) when every student has it. */
export function paretoBasis(result: ExperimentResult): 'validation' | 'test' {
  return studentsOf(result).every((s) => s.validation) ? 'validation' : 'test';
}

/**
 * The students as points of accuracy against bias (test figures, what is reported), marked when on
 * the Pareto front chosen on validation (higher accuracy, lower excess mean |disparity|). Runs stored
 * before the lab measured validation fall back to test. A model whose bias is not measurable is on no front.
 */
export function runPoints(result: ExperimentResult): RunPoint[] {
  const students = studentsOf(result);
  const onValidation = paretoBasis(result) === 'validation';
  const front = paretoFront(
    students.map((s) =>
      onValidation
        ? { accuracy: s.validation!.accuracy, bias: s.validation!.excessMeanAbsDisparity }
        : { accuracy: s.test.accuracy, bias: s.fairness.excessMeanAbsDisparity ?? s.fairness.meanAbsDisparity },
    ),
  );
  return students.map((s, i) => ({
    label: s.label,
    method: s.method,
    lambda: s.lambda,
    accuracy: s.test.accuracy,
    bias: s.fairness.meanAbsDisparity,
    excess: s.fairness.excessMeanAbsDisparity ?? null,
    pareto: front[i],
  }));
}

export interface SurfaceGrid {
  methods: MethodId[];
  lambdas: number[];
  /** [method][λ]; null where that pair was not run. */
  accuracy: (number | null)[][];
  bias: (number | null)[][];
}

export function surfaceGrid(result: ExperimentResult): SurfaceGrid {
  const methods = methodsOf(result);
  const lambdas = [...new Set(studentsOf(result).map((s) => s.lambda))].sort((a, b) => a - b);
  const at = (m: MethodId, l: number) => studentAt(result, m, l);
  return {
    methods,
    lambdas,
    accuracy: methods.map((m) => lambdas.map((l) => at(m, l)?.test.accuracy ?? null)),
    bias: methods.map((m) => lambdas.map((l) => at(m, l)?.fairness.meanAbsDisparity ?? null)),
  };
}
