import * as tf from '@tensorflow/tfjs';
import { crossEntropy, smoothL1Sum } from './common';
import { teacherOf, type DistillMethod } from './method';
import { methodInfo } from './catalog';

/**
 * Relational KD — Park et al. 2019. The student matches the teacher's *relations* between
 * examples: normalised pairwise distances and the angles of triplets. Both potentials are built
 * from explicit differences e_i − e_j (not ‖a‖² + ‖b‖² − 2ab, whose float32 cancellation loses
 * the small distances), and the angle term runs over anchors in chunks so memory stays bounded.
 * Like the reference implementations (RepDistiller's pdist clamps squared distances at 1e-12,
 * F.normalize divides by max(‖x‖, 1e-12)), identical rows — the same image twice in a batch —
 * give finite losses and gradients, and the same gradients as the reference.
 *
 * Reductions: L_D averages over the B(B−1) pairs i ≠ j and L_A over the B(B−1)² triplets with
 * i ≠ j and k ≠ j. RepDistiller's smooth_l1_loss(reduction='mean') averages
 * over all B² and B³ entries (degenerate ones are 0), so its L_D is (B−1)/B and its L_A (B−1)²/B²
 * of the lab's; with the same weights (25, 50) the lab's terms weigh B/(B−1) and B²/(B−1)² more
 * (1.016× and 1.032× at B = 64).
 */

/** Squared distances below this are clamped (RepDistiller's pdist eps); the clamp passes no gradient. */
const EPS = 1e-12;

/** Off-diagonal mask (1 where i ≠ j) of a B×B matrix. */
function offDiagonal(b: number): tf.Tensor2D {
  return tf.sub(tf.ones([b, b]), tf.eye(b)) as tf.Tensor2D;
}

/** ψ_D: ‖e_i − e_j‖ / μ with μ the mean of the non-zero distances; zero on the diagonal. */
export function distancePotential(e: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const b = e.shape[0];
    const diff = tf.sub(tf.expandDims(e, 1), tf.expandDims(e, 0)); // [i, j, :] = e_i − e_j
    const off = offDiagonal(b);
    // The clamp keeps sqrt away from 0 (the diagonal, duplicate rows) and passes no gradient there.
    const d = tf.mul(tf.sqrt(tf.maximum(tf.sum(tf.square(diff), 2), EPS)), off);
    // sign(d) ∈ {0, 1} counts the non-zero distances; unlike a comparison op it has a (zero) gradient.
    const nonZero = tf.sign(d);
    const mu = tf.div(tf.sum(d), tf.maximum(tf.sum(nonZero), 1));
    return tf.div(d, tf.maximum(mu, 1e-12)) as tf.Tensor2D;
  });
}

/** L_D: SmoothL1 between the potentials, mean over the B(B−1) pairs i ≠ j. */
export function rkdDistanceLoss(student: tf.Tensor2D, teacher: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const b = student.shape[0];
    if (b < 2) return tf.scalar(0);
    const diff = tf.sub(distancePotential(student), distancePotential(teacher));
    return tf.div(smoothL1Sum(diff), b * (b - 1)) as tf.Scalar;
  });
}

/** Unit vectors (e_i − e_j)/‖e_i − e_j‖ for anchors j in [j0, j1): shape [j, i, D]; zero where i = j. */
function unitDifferences(e: tf.Tensor2D, j0: number, j1: number): tf.Tensor3D {
  return tf.tidy(() => {
    const anchors = tf.slice(e, [j0, 0], [j1 - j0, -1]);
    const diff = tf.sub(tf.expandDims(e, 0), tf.expandDims(anchors, 1)); // [j, i, :] = e_i − e_j
    // F.normalize: x / max(‖x‖, 1e-12), so i = j and duplicate rows give a zero vector, not NaN.
    const norm = tf.sqrt(tf.maximum(tf.sum(tf.square(diff), 2, true), EPS * EPS));
    return tf.div(diff, norm) as tf.Tensor3D;
  });
}

/** Anchors per chunk so that one chunk's [j, i, max(D, B)] block stays near 4M floats. */
export function angleChunk(b: number, d: number): number {
  return Math.max(1, Math.min(b, Math.floor(4_000_000 / (b * Math.max(b, d)))));
}

/**
 * L_A: SmoothL1 between ψ_A(i, j, k) = ⟨u_ji, u_jk⟩ of student and teacher, mean over the
 * B(B−1)² triplets where the angle is defined (i ≠ j, k ≠ j). Degenerate entries are zero for
 * both models, so they add nothing to the sum; they are left out of the count.
 */
export function rkdAngleLoss(
  student: tf.Tensor2D,
  teacher: tf.Tensor2D,
  chunk = angleChunk(student.shape[0], Math.max(student.shape[1], teacher.shape[1])),
): tf.Scalar {
  return tf.tidy(() => {
    const b = student.shape[0];
    if (b < 2) return tf.scalar(0);
    let sum: tf.Scalar = tf.scalar(0);
    for (let j0 = 0; j0 < b; j0 += chunk) {
      const j1 = Math.min(b, j0 + chunk);
      const part = tf.tidy(() => {
        const us = unitDifferences(student, j0, j1);
        const ut = unitDifferences(teacher, j0, j1);
        const as = tf.matMul(us, us, false, true);
        const at = tf.matMul(ut, ut, false, true);
        return smoothL1Sum(tf.sub(as, at));
      });
      const next = tf.add(sum, part) as tf.Scalar;
      sum.dispose();
      part.dispose();
      sum = next;
    }
    return tf.div(sum, b * (b - 1) * (b - 1)) as tf.Scalar;
  });
}

export const relationalKD: DistillMethod = {
  ...methodInfo('rkd'),
  loss: (x, p) => {
    const ceTerm = crossEntropy(x.studentLogits, x.oneHot);
    const dist = rkdDistanceLoss(x.studentEmbedding, teacherOf(x).embedding);
    const angle = rkdAngleLoss(x.studentEmbedding, teacherOf(x).embedding);
    const total = tf.tidy(
      () =>
        tf.addN([
          tf.mul(p.ceWeight, ceTerm),
          tf.mul(p.distanceWeight, dist),
          tf.mul(p.angleWeight, angle),
        ]) as tf.Scalar,
    );
    return { total, terms: { CE: ceTerm, 'RKD distance': dist, 'RKD angle': angle } };
  },
};
