import { objectiveOf } from './objective';
import type { StoredRun } from '../engine/types';

/** Several stored runs side by side: each model's figures per run, and each model's loss curve per run. */
export interface Overlay {
  runs: { id: string; name: string }[];
  /** The models that appear in any run, by label, in first-seen order. */
  labels: string[];
  /** [run][label]: test accuracy and excess mean |disparity| (raw where a run has no excess); null where absent. */
  accuracy: (number | null)[][];
  bias: (number | null)[][];
  /** One curve per run × model: its main loss term (total, else CE) by step. */
  curves: { run: string; label: string; steps: number[]; loss: number[] }[];
}

export function overlay(runs: StoredRun[]): Overlay {
  const labels: string[] = [];
  for (const r of runs)
    for (const m of [r.result.teacher, ...r.result.students]) if (!labels.includes(m.label)) labels.push(m.label);
  const models = (r: StoredRun) => new Map([r.result.teacher, ...r.result.students].map((m) => [m.label, m]));
  const byRun = runs.map(models);
  return {
    runs: runs.map((r) => ({ id: r.id, name: r.name })),
    labels,
    accuracy: byRun.map((m) => labels.map((l) => m.get(l)?.test.accuracy ?? null)),
    bias: byRun.map((m) =>
      labels.map((l) => {
        const f = m.get(l)?.fairness;
        return f ? (f.excessMeanAbsDisparity ?? f.meanAbsDisparity) : null;
      }),
    ),
    curves: runs.flatMap((r) =>
      [r.result.teacher, ...r.result.students].map((m) => {
        const pts = m.curve.filter((p) => objectiveOf(p.terms) !== undefined);
        return {
          run: r.name,
          label: m.label,
          steps: pts.map((p) => p.step),
          loss: pts.map((p) => objectiveOf(p.terms)!),
        };
      }),
    ),
  };
}
