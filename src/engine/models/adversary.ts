import * as tf from '@tensorflow/tfjs';

/**
 * The adversary: a small MLP that reads the student's softmax output (and, for equalized odds, the
 * one-hot true label, as Zhang et al. 2018) and predicts the protected group as a logit.
 */
export function buildAdversary(classes: number, hidden: number, equalizedOdds: boolean, seed: number): tf.LayersModel {
  const input = tf.input({ shape: [equalizedOdds ? 2 * classes : classes], name: 'adversary_input' });
  const h = tf.layers
    .dense({
      units: hidden,
      activation: 'relu',
      kernelInitializer: tf.initializers.heNormal({ seed }),
      name: 'adversary_hidden',
    })
    .apply(input) as tf.SymbolicTensor;
  const out = tf.layers
    .dense({ units: 1, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }), name: 'adversary_logit' })
    .apply(h) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out, name: 'adversary' });
}

export function adversaryInput(probs: tf.Tensor2D, oneHot: tf.Tensor2D, equalizedOdds: boolean): tf.Tensor2D {
  return equalizedOdds ? (tf.concat([probs, oneHot], 1) as tf.Tensor2D) : probs;
}

/**
 * Mean binary cross-entropy of the adversary's group logits over the examples whose group is
 * known (mask = 1); examples of unknown group neither train nor are fooled.
 */
export function adversaryLoss(logits: tf.Tensor2D, groups: tf.Tensor1D, mask: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const z = tf.reshape(logits, [-1]);
    // Stable BCE with logits: max(z, 0) − z·a + log(1 + e^{−|z|}).
    const per = tf.add(tf.sub(tf.relu(z), tf.mul(z, groups)), tf.log1p(tf.exp(tf.neg(tf.abs(z)))));
    return tf.div(tf.sum(tf.mul(per, mask)), tf.maximum(tf.sum(mask), 1)) as tf.Scalar;
  });
}

/** λ at an epoch (1-based): 0 during warm-up, then constant or a linear ramp to λ at the last epoch. */
export function lambdaAt(
  lambda: number,
  epoch: number,
  epochs: number,
  warmupEpochs: number,
  schedule: 'constant' | 'linear',
): number {
  if (epoch <= warmupEpochs) return 0;
  if (schedule === 'constant') return lambda;
  const span = Math.max(1, epochs - warmupEpochs);
  return lambda * Math.min(1, (epoch - warmupEpochs) / span);
}
