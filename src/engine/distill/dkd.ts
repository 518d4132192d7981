import * as tf from '@tensorflow/tfjs';
import { crossEntropy } from './common';
import { teacherOf, type DistillMethod } from './method';
import { methodInfo } from './catalog';

/**
 * Decoupled KD — Zhao et al., CVPR 2022 (mdistiller DKD.py). KD splits into a target-class part
 * (TCKD: KL over [p_target, 1 − p_target]) and a non-target part (NCKD: KL over the other classes,
 * the target masked out), weighted α and β.
 */

const MASK = 1000; // mdistiller subtracts 1000·gt_mask from the logits before the non-target softmax

export function dkdParts(
  studentLogits: tf.Tensor2D,
  teacherLogits: tf.Tensor2D,
  oneHot: tf.Tensor2D,
  temperature: number,
): { tckd: tf.Scalar; nckd: tf.Scalar } {
  const [tckd, nckd] = tf.tidy(() => {
    const t2 = temperature * temperature;
    const ps = tf.softmax(tf.div(studentLogits, temperature));
    const pt = tf.softmax(tf.div(teacherLogits, temperature));
    const other = tf.sub(1, oneHot);
    // Binary distributions [p_target, p_rest].
    const bs = tf.stack([tf.sum(tf.mul(ps, oneHot), 1), tf.sum(tf.mul(ps, other), 1)], 1);
    const bt = tf.stack([tf.sum(tf.mul(pt, oneHot), 1), tf.sum(tf.mul(pt, other), 1)], 1);
    const tckd = tf.mul(tf.mean(tf.sum(tf.mul(bt, tf.sub(tf.log(bt), tf.log(bs))), 1)), t2);
    const zs = tf.sub(tf.div(studentLogits, temperature), tf.mul(MASK, oneHot));
    const zt = tf.sub(tf.div(teacherLogits, temperature), tf.mul(MASK, oneHot));
    const logQs = tf.logSoftmax(zs);
    const logQt = tf.logSoftmax(zt);
    const nckd = tf.mul(tf.mean(tf.sum(tf.mul(tf.exp(logQt), tf.sub(logQt, logQs)), 1)), t2);
    return [tckd, nckd] as tf.Scalar[];
  });
  return { tckd, nckd };
}

export const decoupledKD: DistillMethod = {
  ...methodInfo('dkd'),
  loss: (x, p) => {
    const ceTerm = crossEntropy(x.studentLogits, x.oneHot);
    const { tckd, nckd } = dkdParts(x.studentLogits, teacherOf(x).logits, x.oneHot, p.temperature);
    const ramp = Math.min(1, x.epoch / p.warmupEpochs);
    const total = tf.tidy(
      () =>
        tf.addN([tf.mul(p.ceWeight, ceTerm), tf.mul(ramp * p.alpha, tckd), tf.mul(ramp * p.beta, nckd)]) as tf.Scalar,
    );
    return { total, terms: { CE: ceTerm, TCKD: tckd, NCKD: nckd } };
  },
};
