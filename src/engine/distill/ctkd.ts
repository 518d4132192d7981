import * as tf from '@tensorflow/tfjs';
import { crossEntropy, kdLoss } from './common';
import { teacherOf, type DistillMethod, type MethodState } from './method';
import { methodInfo } from './catalog';

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
  return f(x);
}

/** T = T_min + T_range·sigmoid(GRL_λ(θ)). */
export function ctkdTemperature(theta: tf.Tensor, lambda: number, tMin: number, tRange: number): tf.Scalar {
  return tf.tidy(
    () => tf.add(tMin, tf.mul(tRange, tf.sigmoid(gradientReversal(theta, lambda)))).reshape([]) as tf.Scalar,
  );
}

interface CtkdState extends MethodState {
  theta: tf.Variable;
  lambda: number;
}

export const curriculumTemperatureKD: DistillMethod = {
  ...methodInfo('ctkd'),
  setup: (s) => {
    // tidy frees the initial scalar; the variable itself is kept.
    const theta = tf.tidy(() => tf.variable(tf.scalar(s.params.thetaInit), true, undefined, 'float32'));
    const state: CtkdState = {
      theta,
      lambda: 0,
      variables: [theta],
      beforeEpoch(epoch: number) {
        state.lambda = curriculumLambda(epoch, s.params.curriculumEpochs);
      },
      dispose() {
        theta.dispose();
      },
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
