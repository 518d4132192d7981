import { biasIncrease, biasReduction } from '../engine/metrics/fairness';
import { seriesOf } from '../engine/plan';
import { seedSummary, t975, type SeedSummary } from '../engine/metrics/tInterval';
import type { ExperimentResult, ModelResult, PairedIntervals } from '../engine/types';

/**
 * The headless runner's table: one row per model (teacher, baseline, method × λ) over the seeds.
 * Over several seeds each figure is the mean with its 95% t-interval; for one seed, the figure with
 * its paired, stratified bootstrap interval where the sweep computed one.
 */

export interface Figure extends SeedSummary {
  /** Where the interval comes from. */
  intervalKind: 'seeds' | 'bootstrap' | null;
  /** A t-interval cut to the range the figure can take (accuracy cannot pass 100%). */
  clipped?: boolean;
}

/** The ranges figures can take; a t-interval over few seeds is cut to them (unbounded: no entry). */
const BOUNDS = {
  unit: [0, 1],
  excess: [-1, 1],
  excessChange: [-2, 2],
  reduction: [-Infinity, 1],
  increase: [-1, Infinity],
  points: [-100, 100],
} as const satisfies Record<string, readonly [number, number]>;

/** Below this many seeds a t-interval says little (t(0.975, 1) = 12.7): the table says so. */
export const INFORMATIVE_SEEDS = 3;

export interface SummaryRow {
  label: string;
  role: ModelResult['role'];
  method: string;
  lambda: number;
  params: number;
  accuracy: Figure;
  macroF1: Figure;
  meanAbsDisparity: Figure | null;
  meanAbsDisparityFloor: Figure | null;
  excessMeanAbsDisparity: Figure | null;
  /** Relative to the teacher of the same seed: raw and excess mean |disparity|. */
  biasVsTeacher: Figure | null;
  excessBiasVsTeacher: Figure | null;
  /** Student excess − teacher excess (mean |disparity| units): defined even when the teacher has no bias above its floor. */
  excessChangeVsTeacher: Figure | null;
  /** λ > 0, relative to the same method at λ = 0 of the same seed. */
  biasReduction: Figure | null;
  excessBiasReduction: Figure | null;
  /** Accuracy change in points vs the same method at λ = 0. */
  accuracyChange: Figure | null;
  /** Counterfactual flip rate, its change vs the teacher, and (λ > 0) its reduction vs λ = 0; null without twins. */
  flipRate: Figure | null;
  flipRateVsTeacher: Figure | null;
  /** Student − teacher flip rate, in points: the CLI's column (a relative change on a 1% base says nothing). */
  flipRateChangeVsTeacher: Figure | null;
  flipRateReduction: Figure | null;
}

interface Entry {
  model: ModelResult;
  teacher: ModelResult;
  undebiased?: ModelResult;
}

/** A figure over the seeds (its t-interval cut to `bounds`), or for one seed the value with its bootstrap interval. */
function figure(
  values: (number | null)[],
  bootstrap?: [number, number] | null,
  bounds?: readonly [number, number],
): Figure | null {
  const defined = values.filter((v): v is number => v !== null);
  if (!defined.length || defined.length < values.length) return null;
  const s = seedSummary(defined);
  if (s.n > 1) {
    if (!bounds || !s.interval) return { ...s, intervalKind: 'seeds' };
    const cut: [number, number] = [Math.max(bounds[0], s.interval[0]), Math.min(bounds[1], s.interval[1])];
    const clipped = cut[0] !== s.interval[0] || cut[1] !== s.interval[1];
    return { ...s, interval: cut, intervalKind: 'seeds', ...(clipped ? { clipped } : {}) };
  }
  const interval = bootstrap ? ([bootstrap[0], bootstrap[1]] as [number, number]) : null;
  return { ...s, interval, intervalKind: interval ? 'bootstrap' : null };
}

const only = (list: Entry[], key: keyof PairedIntervals) =>
  list.length === 1 ? (list[0].model[key] as [number, number] | null | undefined) : undefined;

export function summarize(results: ExperimentResult[]): SummaryRow[] {
  const byLabel = new Map<string, Entry[]>();
  for (const r of results) {
    for (const m of [r.teacher, ...r.students]) {
      const undebiased = r.students.find((s) => seriesOf(s) === seriesOf(m) && s.lambda === 0 && s.role === m.role);
      byLabel.set(m.label, [...(byLabel.get(m.label) ?? []), { model: m, teacher: r.teacher, undebiased }]);
    }
  }
  return [...byLabel].map(([label, list]) => {
    const m0 = list[0].model;
    const f = (x: Entry) => x.model.fairness;
    const student = m0.role !== 'teacher';
    const debiased = m0.lambda > 0 && list.every((x) => x.undebiased);
    const single = list.length === 1 ? list[0].model.fairness.interval : undefined;
    return {
      label,
      role: m0.role,
      method: m0.method,
      lambda: m0.lambda,
      params: m0.size.params,
      accuracy: figure(
        list.map((x) => x.model.test.accuracy),
        single?.accuracy,
        BOUNDS.unit,
      )!,
      macroF1: figure(
        list.map((x) => x.model.test.macro.f1),
        undefined,
        BOUNDS.unit,
      )!,
      meanAbsDisparity: figure(
        list.map((x) => f(x).meanAbsDisparity),
        single?.meanAbsDisparity,
        BOUNDS.unit,
      ),
      meanAbsDisparityFloor: figure(
        list.map((x) => f(x).meanAbsDisparityFloor ?? null),
        undefined,
        BOUNDS.unit,
      ),
      excessMeanAbsDisparity: figure(
        list.map((x) => f(x).excessMeanAbsDisparity ?? null),
        single?.excessMeanAbsDisparity,
        BOUNDS.excess,
      ),
      biasVsTeacher: student
        ? figure(
            list.map((x) => biasIncrease(f(x).meanAbsDisparity, x.teacher.fairness.meanAbsDisparity)),
            only(list, 'biasVsTeacherInterval'),
            BOUNDS.increase,
          )
        : null,
      excessBiasVsTeacher: student
        ? figure(
            list.map((x) =>
              biasIncrease(f(x).excessMeanAbsDisparity ?? null, x.teacher.fairness.excessMeanAbsDisparity ?? null),
            ),
            only(list, 'excessBiasVsTeacherInterval'),
          )
        : null,
      excessChangeVsTeacher: student
        ? figure(
            list.map((x) => {
              const s = f(x).excessMeanAbsDisparity;
              const t = x.teacher.fairness.excessMeanAbsDisparity;
              return s == null || t == null ? null : s - t;
            }),
            only(list, 'excessChangeVsTeacherInterval'),
            BOUNDS.excessChange,
          )
        : null,
      biasReduction: debiased
        ? figure(
            list.map((x) => biasReduction(f(x).meanAbsDisparity, x.undebiased!.fairness.meanAbsDisparity)),
            only(list, 'biasReductionInterval'),
            BOUNDS.reduction,
          )
        : null,
      excessBiasReduction: debiased
        ? figure(
            list.map((x) =>
              biasReduction(f(x).excessMeanAbsDisparity ?? null, x.undebiased!.fairness.excessMeanAbsDisparity ?? null),
            ),
            only(list, 'excessBiasReductionInterval'),
          )
        : null,
      flipRate: figure(
        list.map((x) => f(x).counterfactualFlipRate ?? null),
        single?.counterfactualFlipRate,
        BOUNDS.unit,
      ),
      flipRateVsTeacher: student
        ? figure(
            list.map((x) =>
              biasIncrease(f(x).counterfactualFlipRate ?? null, x.teacher.fairness.counterfactualFlipRate ?? null),
            ),
            only(list, 'flipRateVsTeacherInterval'),
            BOUNDS.increase,
          )
        : null,
      flipRateChangeVsTeacher: student
        ? figure(
            list.map((x) => {
              const s = f(x).counterfactualFlipRate;
              const t = x.teacher.fairness.counterfactualFlipRate;
              return s == null || t == null ? null : 100 * (s - t);
            }),
            only(list, 'flipRateChangeVsTeacherInterval'),
          )
        : null,
      flipRateReduction: debiased
        ? figure(
            list.map((x) =>
              biasReduction(f(x).counterfactualFlipRate ?? null, x.undebiased!.fairness.counterfactualFlipRate ?? null),
            ),
            only(list, 'flipRateReductionInterval'),
            BOUNDS.reduction,
          )
        : null,
      accuracyChange: debiased
        ? figure(
            list.map((x) => 100 * (x.model.test.accuracy - x.undebiased!.test.accuracy)),
            only(list, 'accuracyChangeInterval'),
            BOUNDS.points,
          )
        : null,
    };
  });
}

/** "12.3 [10.1, 14.5]": a figure and its interval, scaled; a sign for relative changes. */
export function formatFigure(v: Figure | null, scale = 1, digits = 1, signed = false): string {
  if (!v) return '—';
  const num = (x: number) => `${signed && x >= 0 ? '+' : ''}${(x * scale).toFixed(digits)}`;
  return v.interval
    ? `${num(v.mean)} [${num(v.interval[0])}, ${num(v.interval[1])}]${v.clipped ? '*' : ''}`
    : num(v.mean);
}

/** A reduction over seeds, as the page writes one: "all" at or past 100% (the floor), never "102". */
export function formatReduction(v: Figure | null): string {
  if (!v) return '—';
  const n = (x: number) => (x >= 0.995 ? 'all' : (100 * x).toFixed(0));
  return v.interval ? `${n(v.mean)} [${n(v.interval[0])}, ${n(v.interval[1])}]${v.clipped ? '*' : ''}` : n(v.mean);
}

/** What the intervals of a summary are, in words: how many seeds, and whether that says anything. */
export function intervalNote(rows: SummaryRow[]): string {
  const n = rows[0]?.accuracy.n ?? 0;
  if (n <= 1) return 'One seed: each interval is the paired bootstrap interval of that seed’s test split.';
  const base = `Mean over ${n} seeds with its 95% Student-t interval; * = cut to the range the figure can take.`;
  return n < INFORMATIVE_SEEDS
    ? `${base} With ${n} seeds the t-interval is not informative (t = ${t975(n - 1).toFixed(1)}): read the seeds one by one, or add a seed.`
    : base;
}

export function formatSummary(rows: SummaryRow[]): string {
  const header = [
    'model',
    'params',
    'top-1 %',
    'macro F1 %',
    'mean|disp| ×100',
    'floor ×100',
    'excess ×100',
    'bias vs teacher %',
    'excess vs teacher %',
    'Δexcess ×100',
    'bias reduction %',
    'excess reduction %',
    'Δacc pt',
    'flip %',
    'flip vs teacher, pt',
    'flip reduction %',
  ];
  const lines = rows.map((r) => [
    r.label,
    String(r.params),
    formatFigure(r.accuracy, 100),
    formatFigure(r.macroF1, 100),
    formatFigure(r.meanAbsDisparity, 100, 2),
    formatFigure(r.meanAbsDisparityFloor, 100, 2),
    formatFigure(r.excessMeanAbsDisparity, 100, 2),
    formatFigure(r.biasVsTeacher, 100, 0, true),
    formatFigure(r.excessBiasVsTeacher, 100, 0, true),
    formatFigure(r.excessChangeVsTeacher, 100, 1, true),
    formatReduction(r.biasReduction),
    formatReduction(r.excessBiasReduction),
    formatFigure(r.accuracyChange, 1, 2, true),
    formatFigure(r.flipRate, 100, 1),
    formatFigure(r.flipRateChangeVsTeacher, 1, 1, true),
    formatReduction(r.flipRateReduction),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const fmt = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [
    intervalNote(rows),
    fmt(header),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...lines.map(fmt),
  ].join('\n');
}

/** The recommended λ of each method in each seed, with the rule that chose it. */
export function formatRecommendations(results: ExperimentResult[]): string {
  const lines: string[] = [];
  results.forEach((r) => {
    for (const rec of r.recommendations ?? []) {
      const pct = (v: number | null) => (v === null ? 'not measurable' : `${(100 * v).toFixed(0)}%`);
      lines.push(
        `seed ${r.config.seed} · ${rec.label}: test excess reduction ${pct(rec.test.excessBiasReduction)}, Δacc ${rec.test.accuracyChangePoints.toFixed(2)} pt — ${rec.rule}`,
      );
    }
  });
  return lines.length ? `Recommended λ (chosen on validation, reported on test):\n${lines.join('\n')}` : '';
}
