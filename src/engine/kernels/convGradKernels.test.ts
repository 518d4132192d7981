import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { kernelPathCounts, registerConvGradKernels } from './convGradKernels';
import { simdKernels, useSimdKernels } from './convGradSimd';
import { convForwardCounts, registerSimdConvForward } from './convForward';
import { modelConvGeometries, type ConvGeometry } from './modelConvGeometries';
import { relaxedSimdSupported } from './simd/simdKernels';
import { enableRelaxedSimd } from '../../cli/relaxedSimdNode';
import { relativeToLargest } from '../testing/setup';

enableRelaxedSimd(); // the relaxed build, as Chrome and the runner run it; the plain one is asked for below

/**
 * The wasm backend's convolution gradients (ours) against tfjs's own cpu kernels, for every
 * stride/padding the models use and a few more (tfjs core has no gradient for dilated convolutions,
 * so dilation 1 is the only one that reaches these kernels), and for every convolution of every
 * preset's models. The wasm backend is checked on each of its paths: the SIMD kernels (relaxed and
 * plain builds), the composed XNNPACK kernels and the loops. This file runs in its own process, and
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

/** Conv2D, FusedConv2D without bias (the models' own), and FusedConv2D with bias and ReLU. */
function forward(g: ConvGeometry, seed: number): Float32Array[] {
  if (g.kind !== 'conv') return [];
  return tf.tidy(() => {
    const x = rand([2, ...g.input], seed) as tf.Tensor4D;
    const filter = rand([g.kernel, g.kernel, g.input[2], g.outChannels], seed + 1) as tf.Tensor4D;
    const bias = rand([g.outChannels], seed + 2) as tf.Tensor1D;
    return [
      tf.conv2d(x, filter, g.stride, 'same'),
      tf.fused.conv2d({ x, filter, strides: g.stride, pad: 'same' }),
      tf.fused.conv2d({ x, filter, strides: g.stride, pad: 'same', bias, activation: 'relu' }),
    ].map((t) => t.dataSync() as Float32Array);
  });
}

function resetCounts() {
  for (const k of Object.keys(kernelPathCounts)) delete kernelPathCounts[k];
}

/** Largest difference, relative to the reference's largest magnitude (at least 1). */
const relDiff = (a: Float32Array, b: Float32Array) => relativeToLargest(a, b, 1);

const modelCase = (g: ConvGeometry): Case => ({
  kind: g.kind,
  x: [2, ...g.input],
  k: g.kernel,
  cout: g.outChannels,
  mult: 1,
  stride: g.stride,
  pad: 'same',
});

describe('convolution gradient kernels', () => {
  // tfjs's own cpu kernels, before the first test replaces them with the loops.
  let reference: Float32Array[][] = [];
  let GEOMETRIES: ConvGeometry[] = [];
  let modelReference: Float32Array[][] = [];
  let forwardReference: Float32Array[][] = [];
  beforeAll(async () => {
    await tf.setBackend('cpu');
    reference = CASES.map((c, i) => grads(c, 10 * i));
    GEOMETRIES = modelConvGeometries();
    modelReference = GEOMETRIES.map((g, i) => grads(modelCase(g), 7 * i));
    forwardReference = GEOMETRIES.map((g, i) => forward(g, 3 * i));
  });

  it('wasm (ours, on every path) and the replaced cpu kernels equal tfjs’s cpu kernels to 1e-4', async () => {
    registerConvGradKernels('wasm');
    registerSimdConvForward();
    await tf.setBackend('wasm');
    const check = (path: string) =>
      CASES.forEach((c, i) => {
        const got = grads(c, 10 * i);
        expect(maxDiff(got[0], reference[i][0]), `${path} ${JSON.stringify(c)} dx`).toBeLessThan(1e-4);
        expect(maxDiff(got[1], reference[i][1]), `${path} ${JSON.stringify(c)} dW`).toBeLessThan(1e-4);
      });
    expect(relaxedSimdSupported(), 'relaxed SIMD validates (Node 20 with its flag, Node ≥ 22)').toBe(true);
    for (const build of ['relaxed', 'simd'] as const) {
      useSimdKernels(build);
      resetCounts();
      check(build);
      const k = simdKernels(tf.backend());
      expect(typeof k === 'string' ? k : k.simd).toBe(
        build === 'relaxed' && relaxedSimdSupported() ? 'relaxed' : 'simd',
      );
      for (const name of [
        'Conv2DBackpropFilter',
        'Conv2DBackpropInput',
        'DepthwiseConv2dNativeBackpropFilter',
        'DepthwiseConv2dNativeBackpropInput',
      ])
        expect(kernelPathCounts[name]?.simd, `${name} simd`).toBeGreaterThan(0);
      // Multiplier 2 is not theirs: the depthwise kernels hand it on.
      expect(kernelPathCounts.DepthwiseConv2dNativeBackpropFilter.loop).toBe(1);
      expect(kernelPathCounts.DepthwiseConv2dNativeBackpropInput.loop).toBe(1);
    }
    useSimdKernels('off');
    resetCounts();
    check('off');
    // Without SIMD: the composed XNNPACK path for the models' geometries, the loops for the rest.
    for (const k of ['Conv2DBackpropFilter', 'Conv2DBackpropInput', 'DepthwiseConv2dNativeBackpropInput']) {
      expect(kernelPathCounts[k]?.composed, `${k} composed`).toBeGreaterThan(0);
    }
    expect(kernelPathCounts.Conv2DBackpropFilter.loop).toBeGreaterThan(0);
    expect(kernelPathCounts.DepthwiseConv2dNativeBackpropInput.loop).toBeGreaterThan(0);
    expect(kernelPathCounts.DepthwiseConv2dNativeBackpropFilter.simd).toBe(0);
    useSimdKernels('relaxed');
    registerConvGradKernels('cpu');
    await tf.setBackend('cpu');
    CASES.forEach((c, i) => {
      const got = grads(c, 10 * i);
      expect(maxDiff(got[1], reference[i][1]), `cpu ${JSON.stringify(c)} dW`).toBeLessThan(1e-4);
    });
  });

  it('covers every convolution of every preset’s models, and the SIMD kernels match tfjs’s cpu kernels there', async () => {
    // The geometries the models use, read off the built models: stems, 1×1 (expand, project, head,
    // squeeze-excitation on 1×1 maps), depthwise 3×3 and 5×5 at strides 1 and 2.
    expect(GEOMETRIES.length).toBeGreaterThan(40);
    const kinds = new Set(GEOMETRIES.map((g) => `${g.kind} ${g.kernel}×${g.kernel} s${g.stride}`));
    expect([...kinds].sort()).toEqual([
      'conv 1×1 s1',
      'conv 3×3 s1',
      'depthwise 3×3 s1',
      'depthwise 3×3 s2',
      'depthwise 5×5 s1',
      'depthwise 5×5 s2',
    ]);
    await tf.setBackend('wasm');
    for (const build of ['relaxed', 'simd'] as const) {
      useSimdKernels(build);
      resetCounts();
      GEOMETRIES.forEach((g, i) => {
        const got = grads(modelCase(g), 7 * i);
        const where = `${build} ${g.where} ${JSON.stringify(modelCase(g))}`;
        expect(relDiff(got[0], modelReference[i][0]), `${where} dx`).toBeLessThan(1e-4);
        expect(relDiff(got[1], modelReference[i][1]), `${where} dW`).toBeLessThan(1e-4);
      });
      // Every convolution gradient of the models ran on the SIMD kernels.
      const convs = GEOMETRIES.filter((g) => g.kind === 'conv').length;
      const depthwise = GEOMETRIES.length - convs;
      expect(kernelPathCounts.Conv2DBackpropFilter).toEqual({ simd: convs, composed: 0, loop: 0 });
      expect(kernelPathCounts.Conv2DBackpropInput).toEqual({ simd: convs, composed: 0, loop: 0 });
      expect(kernelPathCounts.DepthwiseConv2dNativeBackpropFilter).toEqual({ simd: depthwise, composed: 0, loop: 0 });
      expect(kernelPathCounts.DepthwiseConv2dNativeBackpropInput).toEqual({ simd: depthwise, composed: 0, loop: 0 });
    }
    useSimdKernels('relaxed');
  });

  it('runs the models’ forward convolutions on the SIMD kernel (8 input channels or more), equal to the cpu kernels', async () => {
    await tf.setBackend('wasm');
    for (const build of ['relaxed', 'simd'] as const) {
      useSimdKernels(build);
      for (const c of Object.values(convForwardCounts)) c.simd = c.own = 0;
      GEOMETRIES.forEach((g, i) => {
        const got = forward(g, 3 * i);
        got.forEach((out, j) =>
          expect(
            relDiff(out, forwardReference[i][j]),
            `${build} ${g.where} ${JSON.stringify(g)} forward ${j}`,
          ).toBeLessThan(1e-4),
        );
      });
      const convs = GEOMETRIES.filter((g) => g.kind === 'conv');
      const wide = convs.filter((g) => g.input[2] >= 8).length;
      // Stems (3 channels) stay on XNNPACK, as does every fused call with a bias or an activation.
      expect(convForwardCounts.Conv2D).toEqual({ simd: wide, own: convs.length - wide });
      expect(convForwardCounts.FusedConv2D).toEqual({ simd: wide, own: 2 * convs.length - wide });
    }
    useSimdKernels('relaxed');
  });
});
