/**
 * What the charts show, computed from stored results only (no DOM, no tfjs): the λ values that
 * have runs, the disparity bars of teacher / undebiased / debiased student, the λ × method grid of
 * the surface and its Pareto front. Moving the λ slider re-reads these; nothing is retrained.
 */
import { METHOD_INFO, methodInfo, paramNamed, paramSymbol } from '../engine/distill/catalog';
import { seriesOf } from '../engine/plan';
import type { ExperimentResult, MethodId, ModelResult, Recommendation } from '../engine/types';

/** Each method's short name (CKD, RKD, …), from the catalog. */
export const METHOD_SHORT = Object.fromEntries(METHOD_INFO.map((m) => [m.id, m.short])) as Record<MethodId, string>;

/**
 * Distilled students (not the labels-only baseline), optionally of one series: a method with its swept
 * hyper-parameters' values ("CKD", "CKD T=2"; see seriesOf).
 */
export function studentsOf(result: ExperimentResult, series?: string): ModelResult[] {
  return result.students.filter((s) => s.role === 'student' && (series === undefined || seriesOf(s) === series));
}

/** The run's series in plan order: one line each in the charts, one choice in the comparison. */
export function seriesIn(result: ExperimentResult): string[] {
  return [...new Set(studentsOf(result).map(seriesOf))];
}

/** The λ values that have a run for the series, ascending: the slider's stops. */
export function lambdasOf(result: ExperimentResult, series: string): number[] {
  return [...new Set(studentsOf(result, series).map((s) => s.lambda))].sort((a, b) => a - b);
}

export function studentAt(result: ExperimentResult, series: string, lambda: number): ModelResult | undefined {
  return studentsOf(result, series).find((s) => s.lambda === lambda);
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
 * Per-class signed disparity of the teacher, the undebiased student (λ = 0 of the series) and the
 * debiased student at λ, classes sorted by the teacher's |disparity| (largest first).
 */
export function disparityBars(result: ExperimentResult, line: string, lambda: number): DisparityBars {
  const [g0, g1] = result.dataset.groupNames;
  const undebiased = studentAt(result, line, 0);
  const debiased = lambda > 0 ? studentAt(result, line, lambda) : undefined;
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
        const d = c.disparity === null ? 'not measurable' : (100 * c.disparity).toFixed(1);
        const ci = c.interval ? ` [${(100 * c.interval[0]).toFixed(1)}, ${(100 * c.interval[1]).toFixed(1)}]` : '';
        return `${result.dataset.classNames[i]} · ${m.label}<br>disparity ×100 ${d}${ci}<br>recall ${g0} ${r(c.recall[0])} (n=${c.support[0]}) · ${g1} ${r(c.recall[1])} (n=${c.support[1]})${floor}`;
      }),
    });
  }
  return { classes: order.map((i) => ({ index: i, name: result.dataset.classNames[i] })), series };
}

export interface RunPoint {
  label: string;
  method: MethodId;
  series: string;
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
    series: seriesOf(s),
    lambda: s.lambda,
    accuracy: s.test.accuracy,
    bias: s.fairness.meanAbsDisparity,
    excess: s.fairness.excessMeanAbsDisparity ?? null,
    pareto: front[i],
  }));
}

export interface SurfaceGrid {
  /** One row per series (a method, or a method at one swept value): categories, never interpolated between. */
  series: string[];
  lambdas: number[];
  /** [series][λ]; null where that pair was not run. */
  accuracy: (number | null)[][];
  bias: (number | null)[][];
}

export function surfaceGrid(result: ExperimentResult): SurfaceGrid {
  const series = seriesIn(result);
  const lambdas = [...new Set(studentsOf(result).map((s) => s.lambda))].sort((a, b) => a - b);
  const at = (m: string, l: number) => studentAt(result, m, l);
  return {
    series,
    lambdas,
    accuracy: series.map((m) => lambdas.map((l) => at(m, l)?.test.accuracy ?? null)),
    bias: series.map((m) => lambdas.map((l) => at(m, l)?.fairness.meanAbsDisparity ?? null)),
  };
}

/**
 * A true surface over two numeric axes: one method's students over λ × one swept hyper-parameter
 * (e.g. CKD's T). Present only where the run swept exactly one of that method's hyper-parameters
 * over at least two values and has at least two λ; its cells are null where no student was run.
 */
export interface ParamSurface {
  method: MethodId;
  /** The swept hyper-parameter's key and how the axis names it ("T"). */
  param: string;
  axis: string;
  values: number[];
  lambdas: number[];
  /** [value][λ]. */
  accuracy: (number | null)[][];
  bias: (number | null)[][];
  excess: (number | null)[][];
  labels: (string | null)[][];
}

/** Values per side a grid needs before a surface is drawn between its runs. */
export const MIN_SURFACE_SIDE = 3;

/**
 * Whether a λ × setting grid is dense enough to draw a surface between its runs: at least 3 × 3 and every
 * cell measured. A sparser grid (2 × 2 would be drawn as a smooth saddle no run measured) shows its runs
 * and the lines along λ only — values are never invented between settings.
 */
export function surfaceDrawn(s: ParamSurface): boolean {
  return (
    s.values.length >= MIN_SURFACE_SIDE &&
    s.lambdas.length >= MIN_SURFACE_SIDE &&
    s.accuracy.every((row) => row.every((v) => v !== null))
  );
}

export function paramSurfaces(result: ExperimentResult): ParamSurface[] {
  const sweeps = result.config.sweeps ?? [];
  const out: ParamSurface[] = [];
  for (const method of [...new Set(sweeps.map((w) => w.method))]) {
    const own = sweeps.filter((w) => w.method === method);
    const students = studentsOf(result).filter((s) => s.method === method && s.params);
    if (own.length !== 1 || !students.length) continue;
    const p = paramNamed(methodInfo(method), own[0].param);
    if (!p) continue;
    const values = [...new Set(students.map((s) => s.params![p.key]))].sort((a, b) => a - b);
    const lambdas = [...new Set(students.map((s) => s.lambda))].sort((a, b) => a - b);
    if (values.length < 2 || lambdas.length < 2) continue;
    const at = (v: number, l: number) => students.find((s) => s.params![p.key] === v && s.lambda === l);
    const grid = <T>(f: (s: ModelResult) => T) =>
      values.map((v) =>
        lambdas.map((l) => {
          const s = at(v, l);
          return s ? f(s) : null;
        }),
      );
    out.push({
      method,
      param: p.key,
      axis: paramSymbol(p),
      values,
      lambdas,
      accuracy: grid((s) => s.test.accuracy),
      bias: grid((s) => s.fairness.meanAbsDisparity),
      excess: grid((s) => s.fairness.excessMeanAbsDisparity ?? null),
      labels: grid((s) => s.label),
    });
  }
  return out;
}

/**
 * The series a sweep leads with: the one whose recommended λ (> 0) cut the excess most on validation —
 * never simply the first ("No λ > 0 reduced the bias" for CKD T = 1 while T = 4 cut 83%) — else the
 * first recommendation's, else the first series; with its recommendation. The takeaway speaks of it
 * and the comparison charts open on it.
 */
export function leadingSeries(result: ExperimentResult): { series: string; rec?: Recommendation } | null {
  const all = result.recommendations ?? [];
  const qualified = all.filter((r) => r.lambda > 0);
  const rec = qualified.length
    ? qualified.reduce((a, b) =>
        (b.validation.excessBiasReduction ?? -Infinity) > (a.validation.excessBiasReduction ?? -Infinity) ? b : a,
      )
    : all[0];
  if (rec) return { series: rec.series ?? seriesOf(rec), rec };
  const first = result.students.find((s) => s.role === 'student');
  return first ? { series: seriesOf(first) } : null;
}
