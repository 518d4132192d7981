import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { describe, expect, it } from 'vitest';
import { kernelPathCounts, registerConvGradKernels } from './convGradKernels';

/**
 * The wasm backend's convolution gradients (ours) against tfjs's own cpu kernels, for every
 * stride/padding the models use and a few more (tfjs core has no gradient for dilated convolutions,
 * so dilation 1 is the only one that reaches these kernels). This file runs in its own process, and
 * the cpu kernels are captured before ours replace them.
 */

type Case = {
  kind: 'conv' | 'depthwise';
  x: [number, number, number, number];
  k: number;
  cout?: number;
  mult?: number;
  stride: number;
  pad: 'same' | 'valid';
  dilation?: number;
};

const CASES: Case[] = [
  { kind: 'conv', x: [2, 8, 8, 3], k: 3, cout: 5, stride: 1, pad: 'same' },
  { kind: 'conv', x: [2, 8, 8, 3], k: 3, cout: 4, stride: 2, pad: 'same' },
  { kind: 'conv', x: [2, 7, 7, 6], k: 1, cout: 9, stride: 1, pad: 'same' },
  { kind: 'conv', x: [1, 9, 9, 2], k: 3, cout: 3, stride: 2, pad: 'valid' },
  { kind: 'conv', x: [3, 11, 11, 4], k: 5, cout: 6, stride: 2, pad: 'same' },
  { kind: 'conv', x: [2, 10, 10, 3], k: 3, cout: 2, stride: 2, pad: 'valid' }, // reads no last row: loop path
  { kind: 'conv', x: [2, 9, 9, 3], k: 3, cout: 2, stride: 2, pad: 'same' },
  { kind: 'depthwise', x: [2, 8, 8, 4], k: 3, mult: 1, stride: 1, pad: 'same' },
  { kind: 'depthwise', x: [2, 8, 8, 4], k: 3, mult: 1, stride: 2, pad: 'same' },
  { kind: 'depthwise', x: [2, 9, 9, 3], k: 5, mult: 1, stride: 1, pad: 'same' },
  { kind: 'depthwise', x: [2, 10, 10, 3], k: 5, mult: 1, stride: 2, pad: 'same' },
  { kind: 'depthwise', x: [1, 8, 8, 2], k: 3, mult: 2, stride: 1, pad: 'valid' }, // multiplier 2: loop path
  { kind: 'depthwise', x: [2, 9, 9, 5], k: 3, mult: 1, stride: 2, pad: 'same' },
  { kind: 'depthwise', x: [2, 10, 10, 3], k: 3, mult: 1, stride: 2, pad: 'valid' },
];

function rand(shape: number[], seed: number): tf.Tensor {
  return tf.randomUniform(shape, -1, 1, 'float32', seed);
}

/** Gradients of a weighted sum of the conv output w.r.t. input and filter. */
function grads(c: Case, seed: number): Float32Array[] {
  return tf.tidy(() => {
    const x = rand(c.x, seed) as tf.Tensor4D;
    const fShape = c.kind === 'conv' ? [c.k, c.k, c.x[3], c.cout!] : [c.k, c.k, c.x[3], c.mult!];
    const f = rand(fShape, seed + 1) as tf.Tensor4D;
    const run = (xx: tf.Tensor4D, ff: tf.Tensor4D) =>
      c.kind === 'conv'
        ? tf.conv2d(xx, ff, c.stride, c.pad)
        : tf.depthwiseConv2d(xx, ff, c.stride, c.pad, 'NHWC', c.dilation ?? 1);
    const w = rand(run(x, f).shape, seed + 2);
    const g = tf.grads((xx: tf.Tensor, ff: tf.Tensor) => tf.sum(tf.mul(run(xx as tf.Tensor4D, ff as tf.Tensor4D), w)))([
      x,
      f,
    ]);
    return g.map((t) => t.dataSync() as Float32Array);
  });
}

function maxDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('convolution gradient kernels', () => {
  it('wasm (ours) and the replaced cpu kernels equal tfjs’s cpu kernels to 1e-4', async () => {
    await tf.setBackend('cpu');
    const reference = CASES.map((c, i) => grads(c, 10 * i));
    registerConvGradKernels('wasm');
    await tf.setBackend('wasm');
    CASES.forEach((c, i) => {
      const got = grads(c, 10 * i);
      expect(maxDiff(got[0], reference[i][0]), `${JSON.stringify(c)} dx`).toBeLessThan(1e-4);
      expect(maxDiff(got[1], reference[i][1]), `${JSON.stringify(c)} dW`).toBeLessThan(1e-4);
    });
    // Both paths ran: the composed XNNPACK one for the models' geometries, the loops for the rest.
    for (const k of ['Conv2DBackpropFilter', 'Conv2DBackpropInput', 'DepthwiseConv2dNativeBackpropInput']) {
      expect(kernelPathCounts[k]?.composed, `${k} composed`).toBeGreaterThan(0);
    }
    expect(kernelPathCounts.Conv2DBackpropFilter.loop).toBeGreaterThan(0);
    expect(kernelPathCounts.DepthwiseConv2dNativeBackpropInput.loop).toBeGreaterThan(0);
    registerConvGradKernels('cpu');
    await tf.setBackend('cpu');
    CASES.forEach((c, i) => {
      const got = grads(c, 10 * i);
      expect(maxDiff(got[1], reference[i][1]), `cpu ${JSON.stringify(c)} dW`).toBeLessThan(1e-4);
    });
  });
});
