import * as tf from '@tensorflow/tfjs';
import { crossEntropy, kdLoss } from './common';
import { teacherOf, type DistillMethod, type MethodState } from './method';
import { methodInfo } from './catalog';
import { createRng, subSeed } from '../random';

/**
 * KD++ — Wang et al. 2023, "Improving Knowledge Distillation via Regularizing Feature Norm and
 * Direction". The student's embedding is pulled along the teacher's class-mean direction e_y and
 * its norm up towards the teacher's:  L_ND = mean_i [1 − ⟨f_s(i), e_{y_i}⟩ / max(‖f_s(i)‖, ‖f_t(i)‖)].
 */

/** Normalised class means: row k is c_k/‖c_k‖ (a class with no example keeps a zero row). */
export function normalizeRows(m: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => tf.div(m, tf.maximum(tf.norm(m, 'euclidean', 1, true), 1e-12)) as tf.Tensor2D);
}

export function ndLoss(
  studentEmb: tf.Tensor2D,
  teacherEmb: tf.Tensor2D,
  unitClassMeans: tf.Tensor2D,
  labels: tf.Tensor1D,
): tf.Scalar {
  return tf.tidy(() => {
    const e = tf.gather(unitClassMeans, tf.cast(labels, 'int32')); // [B, D]
    const dot = tf.sum(tf.mul(studentEmb, e), 1);
    const ns = tf.norm(studentEmb, 'euclidean', 1);
    const nt = tf.norm(teacherEmb, 'euclidean', 1);
    return tf.mean(tf.sub(1, tf.div(dot, tf.maximum(tf.maximum(ns, nt), 1e-12)))) as tf.Scalar;
  });
}

/** The projection head: batch norm and the linear map, two models so dropout can sit between them. */
export interface KdppHead {
  norm: tf.LayersModel;
  linear: tf.LayersModel;
  seed: number;
}

interface KdppState extends MethodState {
  classMeans: tf.Tensor2D;
  head?: KdppHead;
  /** Steps this state has taken: the dropout stream's position when the loop gives no step number. */
  steps: number;
}

export const HEAD_DROPOUT = 0.5;

/**
 * The reference's head (WangYZ1608/Knowledge-Distillation-via-ND, when D_s ≠ D_t):
 * BatchNorm1d(ε = 1e-5) → Dropout(0.5) → Linear with bias. The Linear weights keep PyTorch's default
 * initialisation (uniform in ±1/√D_s); the bias starts at zero, because the reference's EmbTrans zeroes
 * every Linear bias after construction (`m.bias.data.zero_()`). PyTorch's BN momentum 0.1 is tfjs's 0.9.
 */
export function buildHead(studentDim: number, teacherDim: number, seed: number): KdppHead {
  const bound = 1 / Math.sqrt(studentDim);
  const input = tf.input({ shape: [studentDim] });
  const norm = tf.model({
    inputs: input,
    outputs: tf.layers.batchNormalization({ momentum: 0.9, epsilon: 1e-5 }).apply(input) as tf.SymbolicTensor,
  });
  const normed = tf.input({ shape: [studentDim] });
  const linear = tf.model({
    inputs: normed,
    outputs: tf.layers
      .dense({
        units: teacherDim,
        useBias: true,
        kernelInitializer: tf.initializers.randomUniform({ minval: -bound, maxval: bound, seed }),
        biasInitializer: 'zeros',
      })
      .apply(normed) as tf.SymbolicTensor,
  });
  return { norm, linear, seed };
}

/**
 * Inverted dropout's multipliers (0 or 1/(1 − rate)) for one step, drawn from the project's seeded
 * stream: the same on every backend and after a resume. (tfjs's seeded dropout repeats one mask.)
 */
export function dropoutMask(rows: number, cols: number, rate: number, seed: number, step: number): tf.Tensor2D {
  const rng = createRng(subSeed(seed, `dropout:${step}`));
  const keep = 1 / (1 - rate);
  const m = new Float32Array(rows * cols);
  for (let i = 0; i < m.length; i++) m[i] = rng() < rate ? 0 : keep;
  return tf.tensor2d(m, [rows, cols]);
}

/** The head's output: in training batch statistics and dropout at `step`; in inference neither. */
export function applyHead(head: KdppHead, fs: tf.Tensor2D, training: boolean, step = 0): tf.Tensor2D {
  return tf.tidy(() => {
    let h = head.norm.apply(fs, { training }) as tf.Tensor2D;
    if (training) h = tf.mul(h, dropoutMask(fs.shape[0], fs.shape[1], HEAD_DROPOUT, head.seed, step));
    return head.linear.apply(h) as tf.Tensor2D;
  });
}

export const kdPlusPlus: DistillMethod = {
  ...methodInfo('kdpp'),
  setup: (s) => {
    if (!s.teacherClassMeans) throw new Error('KD++ needs the teacher’s class-mean embeddings.');
    const raw = s.teacherClassMeans();
    const classMeans = normalizeRows(raw);
    raw.dispose();
    const head = s.studentDim !== s.teacherDim ? buildHead(s.studentDim, s.teacherDim, s.seed) : undefined;
    return {
      classMeans,
      head,
      steps: 0,
      variables: [],
      trainableModels: head ? [head.norm, head.linear] : [],
      dispose() {
        classMeans.dispose();
        head?.norm.dispose();
        head?.linear.dispose();
      },
    } satisfies KdppState;
  },
  loss: (x, p, state) => {
    const s = state as KdppState;
    const ceTerm = crossEntropy(x.studentLogits, x.oneHot);
    const kdTerm = kdLoss(x.studentLogits, teacherOf(x).logits, p.temperature);
    const step = x.step ?? ++s.steps;
    const nd = tf.tidy(() => {
      const fs = s.head ? applyHead(s.head, x.studentEmbedding, true, step) : x.studentEmbedding;
      return ndLoss(fs, teacherOf(x).embedding, s.classMeans, x.labels);
    });
    const ramp = Math.min(1, x.epoch / p.warmupEpochs);
    const total = tf.tidy(
      () => tf.addN([ceTerm, tf.mul(p.kdWeight * ramp, kdTerm), tf.mul(p.ndWeight, nd)]) as tf.Scalar,
    );
    return { total, terms: { CE: ceTerm, KD: kdTerm, ND: nd } };
  },
};
