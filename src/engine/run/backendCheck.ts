import * as tf from '@tensorflow/tfjs';
import { disposeBatch } from '../data/batches';
import { crossEntropy } from '../distill/common';
import { buildModel, forward, modelPreset, trainableVariables } from '../models/efficientnet';
import { subSeed } from '../random';
import type { BackendReport, Dataset, ExperimentConfig, ExperimentResult } from '../types';
import { Evaluation } from './evaluation';
import { runExperiment } from './experiment';

/**
 * Do two tfjs backends compute the same thing? tfjs's WebGPU backend has had wrong-result bugs, and
 * the lab's own gradient kernels replace tfjs's on cpu and wasm, so a user needs to know that their
 * GPU gives the numbers the CPU gives. A trace is what one backend computes for the same seeded work;
 * compareTraces holds two of them against stated tolerances.
 */

export interface BackendTrace {
  backend: BackendReport;
  /** Cross-entropy gradients at the seeded initial weights on the first seeded batch, per variable, teacher then student. */
  gradients: Float32Array[];
  /** "teacher: layer/weight" for each gradient. */
  gradientNames: string[];
  /** [from, to) of each model's gradients. */
  gradientModels: [number, number][];
  /** A short seeded sweep (the teacher, then each student), run on this backend. */
  result: ExperimentResult;
}

/** The gradients of one freshly built model's cross-entropy on the first batch of the training order. */
async function initialGradients(
  config: ExperimentConfig,
  evaluation: Evaluation,
  role: 'teacher' | 'student',
): Promise<{ names: string[]; values: Float32Array[] }> {
  const { classes, train } = evaluation;
  const model = buildModel(modelPreset(role === 'teacher' ? config.teacherModel : config.studentModel), {
    inputSize: evaluation.inputSize,
    classes,
    seed: subSeed(config.seed, role),
    name: `check-${role}`,
  });
  const batch = await evaluation.reader.batch(train, 0, Math.min(config.batchSize, train.length), classes);
  try {
    const vars = trainableVariables([model]);
    const { value, grads } = tf.variableGrads(() => crossEntropy(forward(model, batch.x, true)[0], batch.oneHot), vars);
    value.dispose();
    try {
      const values = (await Promise.all(vars.map((v) => grads[v.name].data()))) as Float32Array[];
      // Variable names carry a counter that differs between backends: keep the layer and weight only.
      const names = vars.map((v) => `${role}: ${v.name.replace(/^check-(teacher|student)_/, '').replace(/_\d+$/, '')}`);
      return { names, values };
    } finally {
      tf.dispose(Object.values(grads));
    }
  } finally {
    disposeBatch(batch);
    model.dispose();
  }
}

/** Runs the check's work on the active backend. */
export async function traceBackend(
  config: ExperimentConfig,
  data: Dataset,
  backend: BackendReport,
): Promise<BackendTrace> {
  const evaluation = new Evaluation(data, config.batchSize, config.seed, config.inputSize);
  const t = await initialGradients(config, evaluation, 'teacher');
  const s = await initialGradients(config, evaluation, 'student');
  const result = await runExperiment(config, data, backend, { emit: () => {} });
  return {
    backend,
    gradients: [...t.values, ...s.values],
    gradientNames: [...t.names, ...s.names],
    gradientModels: [
      [0, t.values.length],
      [t.values.length, t.values.length + s.values.length],
    ],
    result,
  };
}

export interface CheckRow {
  quantity: string;
  /** What the value must not exceed (or, for agreement, fall below). */
  tolerance: number;
  value: number;
  ok: boolean;
  /** Where the value was found (the model and term, or the variable). */
  worst: string;
}

/**
 * The tolerances, for float32 arithmetic summed in a different order on each backend. A first step
 * agrees closely (measured on the tiny preset, WebGPU over SwiftShader against wasm: gradients within
 * 1.3e-5 of their scale, the teacher's first loss within 2e-7, every loss within 6e-3); training then lets rounding differences grow (Adam divides by small second
 * moments), so later losses get a looser bound, and a test image near a decision boundary may change
 * its predicted class.
 */
export const TOLERANCES = {
  gradient: 1e-4,
  firstLoss: 1e-5,
  anyLoss: 2e-2,
  predictionAgreement: 0.97,
  accuracyPoints: 2,
  disparity: 0.05,
};

const relative = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b), 1e-3);

/** `other` against `ref`, one row per compared quantity; every row reports its worst case. */
export function compareTraces(ref: BackendTrace, other: BackendTrace): CheckRow[] {
  const rows: CheckRow[] = [];
  const max = (quantity: string, tolerance: number, cases: [number, string][]) => {
    const [value, worst] = cases.reduce((w, c) => (c[0] > w[0] || Number.isNaN(c[0]) ? c : w), [0, '—']);
    rows.push({ quantity, tolerance, value, worst, ok: value <= tolerance });
  };
  if (ref.gradients.length !== other.gradients.length) throw new Error('The traces come from different models.');
  // Each variable's difference against its own largest gradient, floored at 1% of the largest gradient of
  // its model: a gradient that is zero in exact arithmetic (a batch-norm shift before another batch norm)
  // is float noise on every backend and says nothing.
  const scale = (gs: Float32Array[]) => gs.reduce((m, g) => g.reduce((a, v) => Math.max(a, Math.abs(v)), m), 0);
  const floors = ref.gradientModels.map(([from, to]) => 0.01 * scale(ref.gradients.slice(from, to)));
  max(
    'gradient at the initial weights, max |Δ| / max |g|',
    TOLERANCES.gradient,
    ref.gradients.map((g, i) => {
      let own = 0;
      let diff = 0;
      for (let j = 0; j < g.length; j++) {
        own = Math.max(own, Math.abs(g[j]));
        diff = Math.max(diff, Math.abs(g[j] - other.gradients[i][j]));
      }
      const m = ref.gradientModels.findIndex(([from, to]) => i >= from && i < to);
      return [diff / Math.max(own, floors[m], 1e-12), ref.gradientNames[i]];
    }),
  );
  const models = (t: BackendTrace) => [t.result.teacher, ...t.result.students];
  const pairs = models(ref).map((m) => {
    const o = models(other).find((x) => x.label === m.label);
    if (!o) throw new Error(`${m.label} is missing from the ${other.backend.name} trace.`);
    return [m, o] as const;
  });
  // Only the teacher's first step starts from the same state everywhere: a student's first step
  // already reads a teacher trained on that backend.
  const lossCases = (first: boolean) =>
    (first ? pairs.slice(0, 1) : pairs).flatMap(([m, o]) =>
      (first ? m.curve.slice(0, 1) : m.curve).flatMap((p, i) =>
        Object.entries(p.terms).map(
          ([term, v]) =>
            [relative(v, o.curve[i].terms[term]), `${m.label}, ${term} at step ${p.step}`] as [number, string],
        ),
      ),
    );
  max("the teacher's first loss, relative", TOLERANCES.firstLoss, lossCases(true));
  max('loss at every step, relative', TOLERANCES.anyLoss, lossCases(false));
  const agreement = pairs.map(([m, o]) => {
    const a = m.testPredictions ?? [];
    const b = o.testPredictions ?? [];
    let same = 0;
    for (let i = 0; i < a.length; i++) if (a[i] === b[i]) same++;
    return [a.length ? same / a.length : 1, m.label] as [number, string];
  });
  const [lowest, where] = agreement.reduce((w, c) => (c[0] < w[0] ? c : w), [1, '—']);
  rows.push({
    quantity: 'test predictions that agree (share, at least)',
    tolerance: TOLERANCES.predictionAgreement,
    value: lowest,
    worst: where,
    ok: lowest >= TOLERANCES.predictionAgreement,
  });
  max(
    'top-1 accuracy, |Δ| in points',
    TOLERANCES.accuracyPoints,
    pairs.map(([m, o]) => [100 * Math.abs(m.test.accuracy - o.test.accuracy), m.label]),
  );
  max(
    'mean |disparity|, |Δ|',
    TOLERANCES.disparity,
    pairs.map(([m, o]) => [Math.abs((m.fairness.meanAbsDisparity ?? 0) - (o.fairness.meanAbsDisparity ?? 0)), m.label]),
  );
  return rows;
}
