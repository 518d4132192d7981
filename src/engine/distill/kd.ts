import * as tf from '@tensorflow/tfjs';
import { crossEntropy, kdLoss } from './common';
import { teacherOf, type DistillMethod } from './method';
import { methodInfo } from './catalog';

/** Classic KD — Hinton, Vinyals, Dean 2015: α_ce·CE + α_kd·T²·KL(p_t^T ‖ p_s^T). */
export const classicKD: DistillMethod = {
  ...methodInfo('kd'),
  loss: (x, p) => {
    const ceTerm = crossEntropy(x.studentLogits, x.oneHot);
    const kdTerm = kdLoss(x.studentLogits, teacherOf(x).logits, p.temperature);
    const total = tf.tidy(() => tf.add(tf.mul(p.alphaCE, ceTerm), tf.mul(p.alphaKD, kdTerm)) as tf.Scalar);
    return { total, terms: { CE: ceTerm, KD: kdTerm } };
  },
};
