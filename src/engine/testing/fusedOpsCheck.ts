import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';
import { batchNormTraining, channelScale, swish } from '../kernels/fusedOps';
import type { FusedShape } from '../kernels/modelFusedShapes';

/** The fused ops' checks that fusedOps.test.ts (one thread) and kernelThreads.test.ts (two) share. */

/** Largest |a − b| over the largest |b|: the tolerance is relative to the tensor's own scale. */
export function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let diff = 0,
    scale = 0;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return diff / (scale || 1);
}

/**
 * The op's outputs and the gradients of Σ outputs·weights with respect to every input, as arrays.
 * `seed` ≥ 1: tfjs takes a seed of 0 for none, and two calls would draw different inputs.
 */
export function fusedOpOutputsAndGrads(s: FusedShape, batch: number, seed: number): Float32Array[] {
  return tf.tidy(() => {
    const shape = [batch, ...s.shape];
    const C = s.shape[s.shape.length - 1];
    // Away from zero mean and unit scale, as activations are: batch norm's statistics must not be trivial.
    const x = tf.randomNormal(shape, 0.7, 2.5, 'float32', seed);
    const inputs: tf.Tensor[] = [x];
    let f: (...t: tf.Tensor[]) => tf.Tensor[];
    if (s.op === 'swish') f = (a) => [swish(a)];
    else if (s.op === 'channelScale') {
      inputs.push(tf.randomUniform([batch, ...s.shape.slice(0, -1).map(() => 1), C], -1, 1, 'float32', seed + 1));
      f = (a, b) => [channelScale(a, b)];
    } else {
      inputs.push(
        tf.randomUniform([C], 0.5, 1.5, 'float32', seed + 1),
        tf.randomUniform([C], -1, 1, 'float32', seed + 2),
      );
      f = (a, g, b) => batchNormTraining(a, g, b, 1e-3);
    }
    const outs = f(...inputs);
    // Weights for every output (the mean and variance too: their gradients reach x as well).
    const w = outs.map((o, i) => tf.randomNormal(o.shape, 0, 1, 'float32', seed + 10 + i));
    const grads = tf.grads((...t: tf.Tensor[]) =>
      f(...t).reduce((sum, o, i) => tf.add(sum, tf.sum(tf.mul(o, w[i]))), tf.scalar(0)),
    )(inputs);
    return [...outs, ...grads].map((t) => t.dataSync() as Float32Array);
  });
}
