import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestBackend } from '../testing/setup';

beforeAll(() => useTestBackend('wasm'));

describe('Identity without a copy (wasm)', () => {
  it('a clone shares its input’s memory, outlives it, and is not changed by a variable assign', () => {
    const before = tf.memory();
    const x = tf.tensor2d([
      [1, 2],
      [3, 4],
    ]);
    const buffers = tf.memory().numDataBuffers;
    const c = tf.clone(x);
    expect(tf.memory().numDataBuffers).toBe(buffers); // no second buffer (tfjs's own wasm Identity made one)
    x.dispose();
    expect(Array.from(c.dataSync())).toEqual([1, 2, 3, 4]);
    const v = tf.variable(c);
    const kept = tf.clone(v);
    const nines = tf.tensor2d([
      [9, 9],
      [9, 9],
    ]);
    v.assign(nines);
    expect(Array.from(kept.dataSync())).toEqual([1, 2, 3, 4]);
    expect(Array.from(v.dataSync())).toEqual([9, 9, 9, 9]);
    tf.dispose([c, v, kept, nines]);
    expect(tf.memory().numTensors).toBe(before.numTensors);
    expect(tf.memory().numDataBuffers).toBe(before.numDataBuffers);
  });

  it('gradients that keep inputs for the backward pass still see the right values', () => {
    const x = tf.tensor1d([1, -2, 3]);
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(t, tf.sigmoid(t))))(x);
    const s = (v: number) => 1 / (1 + Math.exp(-v));
    Array.from(g.dataSync()).forEach((v, i) => {
      const t = [1, -2, 3][i];
      expect(v).toBeCloseTo(s(t) + t * s(t) * (1 - s(t)), 5); // d/dt t·σ(t)
    });
    tf.dispose([x, g]);
  });
});
