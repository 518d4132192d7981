import * as tf from '@tensorflow/tfjs';

/** Mean cross-entropy with the true labels. */
export function crossEntropy(logits: tf.Tensor2D, oneHot: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => tf.neg(tf.mean(tf.sum(tf.mul(oneHot, tf.logSoftmax(logits)), 1))) as tf.Scalar);
}

/**
 * Hinton's softened KL, T²·mean_i Σ_k p_t(i,k)·(log p_t(i,k) − log p_s(i,k)).
 * T may be a tensor (CTKD learns it); the T² factor keeps gradients comparable across T.
 */
export function kdLoss(
  studentLogits: tf.Tensor2D,
  teacherLogits: tf.Tensor2D,
  temperature: number | tf.Scalar,
): tf.Scalar {
  return tf.tidy(() => {
    const logPs = tf.logSoftmax(tf.div(studentLogits, temperature));
    const logPt = tf.logSoftmax(tf.div(teacherLogits, temperature));
    const kl = tf.sum(tf.mul(tf.exp(logPt), tf.sub(logPt, logPs)), 1);
    return tf.mul(tf.mean(kl), tf.square(temperature)) as tf.Scalar;
  });
}

/**
 * SmoothL1 (Huber, δ = 1), summed: 0.5·x² where |x| < 1, |x| − 0.5 elsewhere, written as
 * 0.5·m² + (|x| − m) with m = min(|x|, 1) so that no comparison op (which has no gradient) is on the tape.
 */
export function smoothL1Sum(diff: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const a = tf.abs(diff);
    const m = tf.minimum(a, 1);
    return tf.sum(tf.add(tf.mul(0.5, tf.square(m)), tf.sub(a, m))) as tf.Scalar;
  });
}
