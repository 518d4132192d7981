import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestBackend } from '../testing/setup';
import { pooledReduceCounts, pooledView } from './pooledReduce';

beforeAll(() => useTestBackend('wasm'));

/** Sum over `axes` in float64, by walking every element (no reshapes, no pooling). */
function reference(values: Float32Array, shape: number[], axes: number[], mean: boolean): number[] {
  const strides = shape.map((_d, i) => shape.slice(i + 1).reduce((n, d) => n * d, 1));
  const kept = shape.map((_d, i) => i).filter((i) => !axes.includes(i));
  const outSize = kept.reduce((n, i) => n * shape[i], 1);
  const out = new Float64Array(outSize);
  const count = axes.reduce((n, i) => n * shape[i], 1);
  for (let flat = 0; flat < values.length; flat++) {
    let o = 0;
    for (const i of kept) o = o * shape[i] + (Math.floor(flat / strides[i]) % shape[i]);
    out[o] += values[flat];
  }
  return Array.from(out, (v) => (mean ? v / count : v));
}

describe('Sum and Mean as average pooling (wasm)', () => {
  it('finds the [before, reduced, after] view only for contiguous axes that leave the last one', () => {
    expect(pooledView([64, 16, 16, 128], [0, 1, 2])).toEqual([1, 16384, 128]);
    expect(pooledView([64, 16, 16, 128], [2, 1])).toEqual([64, 256, 128]);
    expect(pooledView([64, 16, 16, 128], [3])).toBeNull();
    expect(pooledView([64, 16, 16, 128], [0, 2])).toBeNull();
    expect(pooledView([5, 7], [0])).toEqual([1, 5, 7]);
  });

  it('equals a float64 reference for every shape and axis set the models use, and for the ones it leaves to tfjs', () => {
    const cases: { shape: number[]; axis: number | number[]; keepDims: boolean; pooled: boolean }[] = [
      { shape: [8, 6, 6, 12], axis: [0, 1, 2], keepDims: false, pooled: true }, // batch-norm moments and gradients
      { shape: [8, 6, 6, 12], axis: [1, 2], keepDims: true, pooled: true }, // squeeze-excitation pooling
      { shape: [8, 6, 6, 12], axis: [-3, -2], keepDims: false, pooled: true },
      { shape: [33, 5], axis: 0, keepDims: false, pooled: true },
      { shape: [4, 300, 3], axis: 1, keepDims: true, pooled: true },
      { shape: [8, 6, 6, 12], axis: 3, keepDims: false, pooled: false },
      { shape: [8, 6, 6, 12], axis: [0, 2], keepDims: false, pooled: false },
      { shape: [8, 6, 6, 12], axis: [0, 1, 2, 3], keepDims: false, pooled: false },
    ];
    const before = tf.memory().numTensors;
    for (const c of cases) {
      const x = tf.randomNormal(c.shape, 1, 2, 'float32', 7);
      const values = x.dataSync() as Float32Array;
      const axes = tf.util.parseAxisParam(c.axis, c.shape);
      for (const kind of ['Sum', 'Mean'] as const) {
        const counts = { ...pooledReduceCounts[kind] };
        const y = kind === 'Sum' ? tf.sum(x, c.axis, c.keepDims) : tf.mean(x, c.axis, c.keepDims);
        const expected = reference(values, c.shape, axes, kind === 'Mean');
        const got = Array.from(y.dataSync());
        expect(y.shape).toEqual(
          c.shape.map((d, i) => (axes.includes(i) ? 1 : d)).filter((_d, i) => c.keepDims || !axes.includes(i)),
        );
        got.forEach((v, i) =>
          expect(Math.abs(v - expected[i])).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(expected[i]))),
        );
        expect(pooledReduceCounts[kind].pooled - counts.pooled).toBe(c.pooled ? 1 : 0);
        y.dispose();
      }
      x.dispose();
    }
    // int32 stays with tfjs's kernel.
    const ints = tf.tensor2d(
      [
        [1, 2],
        [3, 4],
        [5, 6],
      ],
      [3, 2],
      'int32',
    );
    const s = tf.sum(ints, 0);
    expect(s.dtype).toBe('int32');
    expect(Array.from(s.dataSync())).toEqual([9, 12]);
    tf.dispose([ints, s]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('gradients through them are unchanged (batch-norm style moments)', () => {
    const x = tf.randomNormal([4, 5, 5, 3], 0, 1, 'float32', 9);
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.square(tf.sub(t, tf.mean(t, [0, 1, 2])))))(x);
    // d/dx Σ (x − μ)² = 2 (x − μ) (the μ term's own gradient sums to zero).
    const mu = reference(x.dataSync() as Float32Array, [4, 5, 5, 3], [0, 1, 2], true);
    const xv = x.dataSync(),
      gv = g.dataSync();
    for (let i = 0; i < xv.length; i++) expect(Math.abs(gv[i] - 2 * (xv[i] - mu[i % 3]))).toBeLessThan(1e-4);
    tf.dispose([x, g]);
  });
});
