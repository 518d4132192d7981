import * as tf from '@tensorflow/tfjs';
import { crossEntropy, kdLoss } from './common';
import { teacherOf, type DistillMethod } from './method';

/** Classic KD — Hinton, Vinyals, Dean 2015: α_ce·CE + α_kd·T²·KL(p_t^T ‖ p_s^T). */
export const classicKD: DistillMethod = {
  id: 'kd',
  label: 'Classic KD (Hinton et al. 2015)',
  short: 'CKD',
  paper: 'arXiv 1503.02531',
  params: [
    { key: 'temperature', label: 'Temperature T', default: 4, min: 0.5, max: 50, step: 0.5, help: 'Softens both distributions so the student sees the teacher’s ranking of wrong classes.' },
    { key: 'alphaCE', label: 'α (CE)', default: 0.1, min: 0, max: 10, step: 0.05, help: 'Weight of the cross-entropy with the true labels.' },
    { key: 'alphaKD', label: 'α (KD)', default: 0.9, min: 0, max: 10, step: 0.05, help: 'Weight of the T²-scaled KL to the teacher.' },
  ],
  loss: (x, p) => {
    const ceTerm = crossEntropy(x.studentLogits, x.oneHot);
    const kdTerm = kdLoss(x.studentLogits, teacherOf(x).logits, p.temperature);
    const total = tf.tidy(() => tf.add(tf.mul(p.alphaCE, ceTerm), tf.mul(p.alphaKD, kdTerm)) as tf.Scalar);
    return { total, terms: { CE: ceTerm, KD: kdTerm } };
  },
};
