import { biasReduction } from '../engine/metrics/fairness';
import type { StoredRun } from '../engine/types';
import { leadingSeries, studentAt } from './compare';
import { setupKey, setupName } from './seedGroups';

/**
 * Stored runs side by side, setting by setting (a parallel-coordinates view): an axis for each setting
 * that differs between the runs — found by itself, not chosen — then the outcomes every run has; runs of
 * one setup but the seed form a group.
 */

export interface ParallelAxis {
  label: string;
  /** One value per run (null where a run has none). */
  values: (number | null)[];
  /** An outcome (always shown) rather than a setting (shown where it varies). */
  outcome: boolean;
}

export interface ParallelView {
  axes: ParallelAxis[];
  /** Each run's group: the index into groupNames. */
  group: number[];
  /** A group's name with its number of runs: "Quick story · λ 0, 1, 2, 4 (n = 3)". */
  groupNames: string[];
}

/** The settings an axis may show: read off a run's config (built-in data's own where it has them). */
const SETTINGS: [string, (r: StoredRun) => number | undefined][] = [
  ['seed', (r) => r.result.config.seed],
  ['data seed', (r) => dataOf(r)?.seed],
  ['bias strength', (r) => dataOf(r)?.biasStrength],
  ['group cue', (r) => dataOf(r)?.cueStrength],
  ['label noise', (r) => dataOf(r)?.labelNoise],
  ['images', (r) => dataOf(r)?.examples],
  ['image size', (r) => r.result.config.inputSize ?? r.result.config.dataset.size],
  ['teacher epochs', (r) => r.result.config.teacherEpochs],
  ['student epochs', (r) => r.result.config.studentEpochs],
  ['batch size', (r) => r.result.config.batchSize],
  ['learning rate', (r) => r.result.config.learningRate],
  ['λ values', (r) => r.result.config.lambdas.length],
];

function dataOf(r: StoredRun) {
  const d = r.result.config.dataset;
  return d.kind === 'imported' ? undefined : d;
}

/** The outcomes: the teacher's and the plain student's top-1 and excess, and what the recommended λ cut. */
function outcomes(r: StoredRun): [string, number | null][] {
  const res = r.result;
  const lead = leadingSeries(res);
  const plain = lead ? studentAt(res, lead.series, 0) : undefined;
  const rec = lead?.rec;
  const debiased = rec && rec.lambda > 0 ? studentAt(res, lead!.series, rec.lambda) : undefined;
  const x100 = (v: number | null | undefined) => (v == null ? null : 100 * v);
  return [
    ['teacher top-1 %', x100(res.teacher.test.accuracy)],
    ['teacher excess ×100', x100(res.teacher.fairness.excessMeanAbsDisparity)],
    ['student (λ = 0) top-1 %', x100(plain?.test.accuracy)],
    ['student (λ = 0) excess ×100', x100(plain?.fairness.excessMeanAbsDisparity)],
    [
      'recommended λ: excess cut %',
      debiased && plain
        ? x100(
            biasReduction(
              debiased.fairness.excessMeanAbsDisparity ?? null,
              plain.fairness.excessMeanAbsDisparity ?? null,
            ),
          )
        : null,
    ],
  ];
}

export function parallelView(runs: StoredRun[]): ParallelView {
  const usable = runs.filter((r) => r.result?.config && r.result.teacher);
  const axes: ParallelAxis[] = [];
  for (const [label, read] of SETTINGS) {
    const values = usable.map((r) => read(r) ?? null);
    if (new Set(values).size > 1) axes.push({ label, values, outcome: false });
  }
  const measured = usable.map(outcomes);
  measured[0]?.forEach(([label], k) => axes.push({ label, values: measured.map((m) => m[k][1]), outcome: true }));
  const keys: string[] = [];
  const group = usable.map((r) => {
    const key = setupKey(r.result.config);
    if (!keys.includes(key)) keys.push(key);
    return keys.indexOf(key);
  });
  const groupNames = keys.map((_, g) => {
    const n = group.filter((x) => x === g).length;
    return `${setupName(usable[group.indexOf(g)].result.config)} (n = ${n})`;
  });
  return { axes, group, groupNames };
}
