import { createRng } from '../random';
import { expectedAbsGap } from './noiseFloor';

/**
 * A paired, stratified bootstrap over a test set: every resample draws, within each (class × group)
 * cell, as many examples as the cell has (with replacement), so cell sizes — and with them the noise
 * floor's binomial cells — stay fixed. The same seed gives the same resamples, so every model of a
 * sweep is measured on identical resamples and differences between models are paired.
 */

export interface TestLabels {
  labels: ArrayLike<number>;
  /** 0, 1, or −1 (unknown: resampled in cells of their own, counted in accuracy only). */
  groups: ArrayLike<number>;
  classes: number;
}

/** The per-resample figures of one model; NaN where a figure is not measurable in that resample. */
export interface ResampledFigures {
  meanAbsDisparity: Float64Array;
  excessMeanAbsDisparity: Float64Array;
  accuracy: Float64Array;
  /** Share of resampled images whose prediction flips with the group; NaN without twins. */
  flipRate: Float64Array;
  /** [resample × classes]: the signed disparity of each class. */
  disparity: Float64Array;
}

export const DEFAULT_RESAMPLES = 1000;

/** Test indices by (class, group) cell; group −1 gets a cell of its own per class. */
function cellsOf(t: TestLabels): Int32Array[] {
  const cells = new Map<string, number[]>();
  for (let i = 0; i < t.labels.length; i++) {
    const g = t.groups[i] === 0 || t.groups[i] === 1 ? t.groups[i] : -1;
    const key = `${t.labels[i]}:${g}`;
    let cell = cells.get(key);
    if (!cell) cells.set(key, (cell = []));
    cell.push(i);
  }
  return [...cells.keys()].sort().map((k) => Int32Array.from(cells.get(k)!));
}

/** Calls `visit` with each resample's indices, in a seeded order that depends only on (test set, seed). */
export function forEachResample(
  t: TestLabels,
  resamples: number,
  seed: number,
  visit: (index: Int32Array, r: number) => void,
): void {
  const cells = cellsOf(t);
  const rng = createRng(seed);
  const index = new Int32Array(t.labels.length);
  for (let r = 0; r < resamples; r++) {
    let at = 0;
    for (const cell of cells) for (let j = 0; j < cell.length; j++) index[at++] = cell[Math.floor(rng() * cell.length)];
    visit(index, r);
  }
}

/** The figures of each model on every resample (the same resamples for all of them). */
export function resampleFigures(
  t: TestLabels,
  predictions: ArrayLike<number>[],
  resamples = DEFAULT_RESAMPLES,
  seed = 0,
  /** Per model, the predictions on the counterfactual twins (or undefined). */
  twinPredictions: (ArrayLike<number> | undefined)[] = [],
): ResampledFigures[] {
  const K = t.classes;
  const out = predictions.map(() => ({
    meanAbsDisparity: new Float64Array(resamples),
    excessMeanAbsDisparity: new Float64Array(resamples),
    accuracy: new Float64Array(resamples),
    flipRate: new Float64Array(resamples).fill(NaN),
    disparity: new Float64Array(resamples * K),
  }));
  const support = new Int32Array(2 * K);
  const hits = new Int32Array(2 * K);
  forEachResample(t, resamples, seed, (index, r) => {
    predictions.forEach((preds, m) => {
      support.fill(0);
      hits.fill(0);
      let correct = 0;
      for (let j = 0; j < index.length; j++) {
        const i = index[j];
        const y = t.labels[i];
        const ok = preds[i] === y;
        if (ok) correct++;
        const g = t.groups[i];
        if (g !== 0 && g !== 1) continue;
        support[2 * y + g]++;
        if (ok) hits[2 * y + g]++;
      }
      let sum = 0;
      let floor = 0;
      let measured = 0;
      for (let c = 0; c < K; c++) {
        const n0 = support[2 * c];
        const n1 = support[2 * c + 1];
        if (!n0 || !n1) {
          out[m].disparity[r * K + c] = NaN;
          continue;
        }
        const d = hits[2 * c] / n0 - hits[2 * c + 1] / n1;
        out[m].disparity[r * K + c] = d;
        sum += Math.abs(d);
        floor += expectedAbsGap(n0, n1, hits[2 * c] + hits[2 * c + 1]);
        measured++;
      }
      out[m].meanAbsDisparity[r] = measured ? sum / measured : NaN;
      out[m].excessMeanAbsDisparity[r] = measured ? (sum - floor) / measured : NaN;
      out[m].accuracy[r] = index.length ? correct / index.length : NaN;
      const twins = twinPredictions[m];
      if (twins && index.length) {
        let flips = 0;
        for (let j = 0; j < index.length; j++) if (twins[index[j]] !== preds[index[j]]) flips++;
        out[m].flipRate[r] = flips / index.length;
      }
    });
  });
  return out;
}

function quantile(sorted: Float64Array, q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/**
 * The central 95% (by default) of a statistic over resamples. Resamples where it is not defined (NaN)
 * are left out; when they are more than the interval's tail (2.5%), the figure is not measurable: null.
 */
export function percentileInterval(values: Float64Array, level = 0.95): [number, number] | null {
  const defined = values.filter((v) => Number.isFinite(v)).sort();
  const tail = (1 - level) / 2;
  if (defined.length === 0 || values.length - defined.length > tail * values.length) return null;
  return [quantile(defined, tail), quantile(defined, 1 - tail)];
}

/** Per resample, (a − b)/b: a relative change, NaN where b ≤ 0 (no bias to compare with). */
export function relativeChange(a: Float64Array, b: Float64Array): Float64Array {
  return a.map((v, r) => (b[r] > 0 ? (v - b[r]) / b[r] : NaN));
}

/** Per resample, a − b. */
export function difference(a: Float64Array, b: Float64Array): Float64Array {
  return a.map((v, r) => v - b[r]);
}

/** Per class, the interval of its signed disparity (error bars of the disparity chart). */
export function classIntervals(f: ResampledFigures, classes: number): ([number, number] | null)[] {
  const resamples = f.accuracy.length;
  return Array.from({ length: classes }, (_, c) =>
    percentileInterval(Float64Array.from({ length: resamples }, (_, r) => f.disparity[r * classes + c])),
  );
}
