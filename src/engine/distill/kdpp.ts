import * as tf from '@tensorflow/tfjs';
import { crossEntropy, kdLoss } from './common';
import { teacherOf, type DistillMethod, type MethodState } from './method';
import { methodInfo } from './catalog';

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

interface KdppState extends MethodState {
  classMeans: tf.Tensor2D;
  projection?: tf.LayersModel;
}

/** BN → Linear, mapping the student's embedding to the teacher's width (WangYZ1608's ND code). */
function buildProjection(studentDim: number, teacherDim: number, seed: number): tf.LayersModel {
  const input = tf.input({ shape: [studentDim] });
  const bn = tf.layers.batchNormalization({ momentum: 0.9 }).apply(input) as tf.SymbolicTensor;
  const out = tf.layers
    .dense({ units: teacherDim, useBias: false, kernelInitializer: tf.initializers.glorotUniform({ seed }) })
    .apply(bn) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

export const kdPlusPlus: DistillMethod = {
  ...methodInfo('kdpp'),
  setup: (s) => {
    if (!s.teacherClassMeans) throw new Error('KD++ needs the teacher’s class-mean embeddings.');
    const raw = s.teacherClassMeans();
    const classMeans = normalizeRows(raw);
    raw.dispose();
    const projection = s.studentDim !== s.teacherDim ? buildProjection(s.studentDim, s.teacherDim, s.seed) : undefined;
    return {
      classMeans,
      projection,
      variables: [],
      trainableModels: projection ? [projection] : [],
      dispose() {
        classMeans.dispose();
        projection?.dispose();
      },
    } satisfies KdppState;
  },
  loss: (x, p, state) => {
    const s = state as KdppState;
    const ceTerm = crossEntropy(x.studentLogits, x.oneHot);
    const kdTerm = kdLoss(x.studentLogits, teacherOf(x).logits, p.temperature);
    const nd = tf.tidy(() => {
      const fs = s.projection
        ? (s.projection.apply(x.studentEmbedding, { training: true }) as tf.Tensor2D)
        : x.studentEmbedding;
      return ndLoss(fs, teacherOf(x).embedding, s.classMeans, x.labels);
    });
    const ramp = Math.min(1, x.epoch / p.warmupEpochs);
    const total = tf.tidy(
      () => tf.addN([ceTerm, tf.mul(p.kdWeight * ramp, kdTerm), tf.mul(p.ndWeight, nd)]) as tf.Scalar,
    );
    return { total, terms: { CE: ceTerm, KD: kdTerm, ND: nd } };
  },
};
