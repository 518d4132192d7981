import { biasIncrease, biasReduction } from '../engine/metrics/fairness';
import type { ExperimentResult, ModelResult } from '../engine/types';

/** Mean and sample standard deviation (0 for one value). */
export function meanSd(values: number[]): { mean: number; sd: number; n: number } {
  const n = values.length;
  const mean = values.reduce((s, v) => s + v, 0) / n;
  const sd = n > 1 ? Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, sd, n };
}

export interface SummaryRow {
  label: string;
  role: ModelResult['role'];
  method: string;
  lambda: number;
  params: number;
  accuracy: ReturnType<typeof meanSd>;
  macroF1: ReturnType<typeof meanSd>;
  weightedF1: ReturnType<typeof meanSd>;
  meanAbsDisparity: ReturnType<typeof meanSd>;
  /** vs the teacher of the same seed. */
  biasIncrease: ReturnType<typeof meanSd> | null;
  /** vs the same method at λ = 0 of the same seed. */
  biasReduction: ReturnType<typeof meanSd> | null;
  /** Accuracy change in points vs the same method at λ = 0. */
  accuracyCost: ReturnType<typeof meanSd> | null;
}

/** One row per model (teacher, baseline, method × λ), aggregated over the seeds. */
export function summarize(results: ExperimentResult[]): SummaryRow[] {
  const byLabel = new Map<string, { model: ModelResult; teacher: ModelResult; undebiased?: ModelResult }[]>();
  for (const r of results) {
    const models = [r.teacher, ...r.students];
    for (const m of models) {
      const undebiased = r.students.find((s) => s.method === m.method && s.lambda === 0 && s.role === m.role);
      const list = byLabel.get(m.label) ?? [];
      list.push({ model: m, teacher: r.teacher, undebiased });
      byLabel.set(m.label, list);
    }
  }
  const rows: SummaryRow[] = [];
  for (const [label, list] of byLabel) {
    const m0 = list[0].model;
    const inc = list
      .map((x) => biasIncrease(x.model.fairness.meanAbsDisparity, x.teacher.fairness.meanAbsDisparity))
      .filter((v): v is number => v !== null);
    const red =
      m0.lambda > 0
        ? list
            .map((x) =>
              x.undebiased
                ? biasReduction(x.model.fairness.meanAbsDisparity, x.undebiased.fairness.meanAbsDisparity)
                : null,
            )
            .filter((v): v is number => v !== null)
        : [];
    const cost =
      m0.lambda > 0
        ? list.filter((x) => x.undebiased).map((x) => 100 * (x.model.test.accuracy - x.undebiased!.test.accuracy))
        : [];
    rows.push({
      label,
      role: m0.role,
      method: m0.method,
      lambda: m0.lambda,
      params: m0.size.params,
      accuracy: meanSd(list.map((x) => x.model.test.accuracy)),
      macroF1: meanSd(list.map((x) => x.model.test.macro.f1)),
      weightedF1: meanSd(list.map((x) => x.model.test.weighted.f1)),
      meanAbsDisparity: meanSd(list.map((x) => x.model.fairness.meanAbsDisparity)),
      biasIncrease: m0.role === 'teacher' || !inc.length ? null : meanSd(inc),
      biasReduction: red.length ? meanSd(red) : null,
      accuracyCost: cost.length ? meanSd(cost) : null,
    });
  }
  return rows;
}

const pm = (v: { mean: number; sd: number; n: number }, scale = 1, digits = 1) =>
  v.n > 1
    ? `${(v.mean * scale).toFixed(digits)} ± ${(v.sd * scale).toFixed(digits)}`
    : (v.mean * scale).toFixed(digits);

export function formatSummary(rows: SummaryRow[]): string {
  const header = [
    'model',
    'params',
    'top-1 %',
    'macro F1 %',
    'weighted F1 %',
    'mean|disp| ×100',
    'bias vs teacher %',
    'bias reduction %',
    'Δacc pt',
  ];
  const lines = rows.map((r) => [
    r.label,
    String(r.params),
    pm(r.accuracy, 100),
    pm(r.macroF1, 100),
    pm(r.weightedF1, 100),
    pm(r.meanAbsDisparity, 100, 2),
    r.biasIncrease ? `${r.biasIncrease.mean >= 0 ? '+' : ''}${pm(r.biasIncrease, 100, 0)}` : '—',
    r.biasReduction ? pm(r.biasReduction, 100, 0) : '—',
    r.accuracyCost ? pm(r.accuracyCost, 1, 2) : '—',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const fmt = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [fmt(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...lines.map(fmt)].join('\n');
}
