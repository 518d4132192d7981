import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { batchNormGradConfig } from './batchNormGrad';

/**
 * Our FusedBatchNorm gradient against tfjs's own (captured before ours replaces it), in the way
 * tfjs-layers trains: mean and variance are moments of x itself, so gradients flow through them.
 */

function gradsOf(x: tf.Tensor4D, scale: tf.Tensor1D, offset: tf.Tensor1D, w: tf.Tensor4D): Float32Array[] {
  return tf.tidy(() => {
    const f = (xx: tf.Tensor, ss: tf.Tensor, oo: tf.Tensor) => {
      const { mean, variance } = tf.moments(xx, [0, 1, 2]);
      return tf.sum(
        tf.mul(tf.batchNorm(xx as tf.Tensor4D, mean, variance, oo as tf.Tensor1D, ss as tf.Tensor1D, 1e-3), w),
      );
    };
    return tf
      .grads(f)([x, scale, offset])
      .map((g) => g.dataSync() as Float32Array);
  });
}

describe('batch-norm gradient', () => {
  it('equals tfjs’s own gradient for x, scale and offset (through the batch moments)', async () => {
    await tf.setBackend('cpu');
    const x = tf.randomNormal([3, 4, 5, 6], 0.5, 2, 'float32', 1) as tf.Tensor4D;
    const scale = tf.randomUniform([6], 0.5, 1.5, 'float32', 2) as tf.Tensor1D;
    const offset = tf.randomUniform([6], -1, 1, 'float32', 3) as tf.Tensor1D;
    const w = tf.randomNormal([3, 4, 5, 6], 0, 1, 'float32', 4) as tf.Tensor4D;
    const theirs = gradsOf(x, scale, offset, w);
    const original = tf.getGradient('FusedBatchNorm');
    tf.registerGradient(batchNormGradConfig);
    const ours = gradsOf(x, scale, offset, w);
    if (original) tf.registerGradient(original);
    theirs.forEach((t, i) => {
      let m = 0;
      for (let j = 0; j < t.length; j++) m = Math.max(m, Math.abs(t[j] - ours[i][j]));
      expect(m, `input ${i}`).toBeLessThan(1e-4);
      expect(Math.max(...t.map(Math.abs)), `input ${i} is not trivially zero`).toBeGreaterThan(1e-2);
    });
    const before = tf.memory().numTensors;
    tf.registerGradient(batchNormGradConfig);
    gradsOf(x, scale, offset, w);
    expect(tf.memory().numTensors).toBe(before);
  });
});
