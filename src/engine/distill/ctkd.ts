import * as tf from '@tensorflow/tfjs';
import { crossEntropy, kdLoss } from './common';
import { teacherOf, type DistillMethod, type MethodState } from './method';

/**
 * Curriculum Temperature KD — Li et al., AAAI 2023. A global temperature θ is learned through a
 * gradient-reversal layer: the student descends the KD loss, θ ascends it, with the reversal
 * weight following a cosine curriculum from 0 to −1 over E_c epochs.
 */

/** λ_e = (cos(π·min(e, E_c)/E_c) + 1)/2 − 1: 0 at e = 0, −1 from e = E_c on. */
export function curriculumLambda(epoch: number, curriculumEpochs: number): number {
  const e = Math.min(epoch, curriculumEpochs);
  return (Math.cos((Math.PI * e) / curriculumEpochs) + 1) / 2 - 1;
}

/** Identity forward; backward multiplies the incoming gradient by λ. */
export function gradientReversal(x: tf.Tensor, lambda: number): tf.Tensor {
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const input = args[0] as tf.Tensor;
    return { value: tf.clone(input), gradFunc: (dy: tf.Tensor) => tf.mul(dy, lambda) };
  });
  return f(x) as tf.Tensor;
}

/** T = T_min + T_range·sigmoid(GRL_λ(θ)). */
export function ctkdTemperature(theta: tf.Tensor, lambda: number, tMin: number, tRange: number): tf.Scalar {
  return tf.tidy(() => tf.add(tMin, tf.mul(tRange, tf.sigmoid(gradientReversal(theta, lambda)))).reshape([]) as tf.Scalar);
}

interface CtkdState extends MethodState {
  theta: tf.Variable;
  lambda: number;
}

export const curriculumTemperatureKD: DistillMethod = {
  id: 'ctkd',
  label: 'Curriculum Temperature KD (Li et al. 2023)',
  short: 'CTKD',
  paper: 'arXiv 2211.16231',
  params: [
    { key: 'tMin', label: 'T min', default: 1, min: 0.1, max: 20, step: 0.1, help: 'Lowest temperature the learned T can reach.' },
    { key: 'tRange', label: 'T range', default: 20, min: 0, max: 100, step: 1, help: 'T = T_min + T_range·sigmoid(θ), so T ∈ (1, 21) by default.' },
    { key: 'curriculumEpochs', label: 'Curriculum epochs E_c', default: 10, min: 1, max: 500, step: 1, help: 'Epochs over which the reversal weight grows from 0 to −1 (cosine).' },
    { key: 'thetaInit', label: 'θ init', default: 1, min: -10, max: 10, step: 0.1, help: 'Starting value of the temperature parameter θ.' },
    { key: 'alphaCE', label: 'α (CE)', default: 0.1, min: 0, max: 10, step: 0.05, help: 'Weight of the cross-entropy with the true labels.' },
    { key: 'alphaKD', label: 'α (KD)', default: 0.9, min: 0, max: 10, step: 0.05, help: 'Weight of the T²-scaled KL at the learned T.' },
  ],
  setup: (s) => {
    // tidy frees the initial scalar; the variable itself is kept.
    const theta = tf.tidy(() => tf.variable(tf.scalar(s.params.thetaInit), true, undefined, 'float32'));
    const state: CtkdState = {
      theta,
      lambda: 0,
      variables: [theta],
      beforeEpoch(epoch: number) { state.lambda = curriculumLambda(epoch, s.params.curriculumEpochs); },
      dispose() { theta.dispose(); },
    };
    return state;
  },
  loss: (x, p, state) => {
    const s = state as CtkdState;
    const temperature = ctkdTemperature(s.theta, s.lambda, p.tMin, p.tRange);
    const ceTerm = crossEntropy(x.studentLogits, x.oneHot);
    const kdTerm = kdLoss(x.studentLogits, teacherOf(x).logits, temperature);
    const total = tf.tidy(() => tf.add(tf.mul(p.alphaCE, ceTerm), tf.mul(p.alphaKD, kdTerm)) as tf.Scalar);
    return { total, terms: { CE: ceTerm, KD: kdTerm, temperature } };
  },
};
