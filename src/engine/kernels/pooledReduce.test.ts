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

  it('a reduction keeping 16,384 values or more per pooled row goes to tfjs (its AvgPool corrupts the heap there): RKD on 1,280/1,536-wide embeddings', () => {
    const before = { ...pooledReduceCounts.Sum };
    for (const [shape, axes] of [
      [[1, 16, 16000], [1]], // just under the limit: pooled
      [[16, 16, 1536], [0]], // 24,576 kept per row: tfjs's own
      [[2, 16384], [0]],
    ] as [number[], number[]][]) {
      const x = tf.randomNormal(shape, 0, 1, 'float32', 3);
      const y = tf.sum(x, axes);
      const want = reference(x.dataSync() as Float32Array, shape, axes, false);
      const got = y.dataSync();
      for (let i = 0; i < want.length; i += 97) expect(Math.abs(got[i] - want[i])).toBeLessThan(1e-3);
      tf.dispose([x, y]);
    }
    expect(pooledReduceCounts.Sum.pooled - before.pooled).toBe(1);
    expect(pooledReduceCounts.Sum.own - before.own).toBe(2);
    // The gradient of RKD's pairwise differences at B3's width, which crashed the backend.
    const e = tf.randomNormal([16, 1536], 0, 1, 'float32', 4);
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.square(tf.sub(tf.expandDims(t, 1), tf.expandDims(t, 0)))))(e);
    // d/de_k Σ_ij (e_i − e_j)² = 4 (B e_k − Σ_i e_i).
    const ev = e.dataSync(),
      gv = g.dataSync();
    const col = (c: number) => Array.from({ length: 16 }, (_v, r) => ev[r * 1536 + c]).reduce((a, b) => a + b, 0);
    for (const k of [0, 7, 15])
      for (const c of [0, 700, 1535])
        expect(Math.abs(gv[k * 1536 + c] - 4 * (16 * ev[k * 1536 + c] - col(c)))).toBeLessThan(1e-2);
    tf.dispose([e, g]);
  });
});
