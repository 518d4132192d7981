import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { relativeToLargest } from '../../testing/setup';

/** Largest difference relative to the reference's largest magnitude (at least 1). */
const relDiff = (a: Float32Array, b: Float32Array) => relativeToLargest(a, b, 1);
import { startSwiftShaderWebgpu } from '../../../cli/swiftShaderWebgpu';
import { modelConvGeometries, type ConvGeometry } from '../modelConvGeometries';
import { splitOf } from './convGradPrograms';
import { injectWebgpuGradFault, useWebgpuGradKernels, webgpuGradCounts } from './convGradWebgpu';
import { recordStep, summarise } from './webgpuWork';

/**
 * The lab's WebGPU gradient kernels against tfjs's own cpu kernels, on WebGPU in Node (Dawn over
 * SwiftShader's Vulkan driver, the path the backend check takes): every convolution of every preset's
 * models (batch 2) and odd shapes (strides, 'valid' padding, a depthwise multiplier of 2, reductions
 * long enough to be split), to 1e-4 of the largest value. A kernel made 0.1% wrong fails the same check.
 */

type Case = {
  kind: 'conv' | 'depthwise';
  x: [number, number, number, number];
  k: number;
  cout: number; // depthwise: the multiplier
  stride: number;
  pad: 'same' | 'valid';
};

const ODD: Case[] = [
  { kind: 'conv', x: [2, 8, 8, 3], k: 3, cout: 5, stride: 1, pad: 'same' },
  { kind: 'conv', x: [2, 9, 9, 3], k: 3, cout: 4, stride: 2, pad: 'same' },
  { kind: 'conv', x: [1, 9, 9, 2], k: 3, cout: 3, stride: 2, pad: 'valid' },
  { kind: 'conv', x: [3, 11, 11, 4], k: 5, cout: 6, stride: 2, pad: 'same' },
  { kind: 'conv', x: [4, 32, 32, 19], k: 1, cout: 24, stride: 1, pad: 'same' }, // 4,096 pixels: split in 64 parts
  { kind: 'conv', x: [2, 4, 4, 300], k: 1, cout: 70, stride: 1, pad: 'same' }, // input gradient over 70 × 1: one pass
  { kind: 'conv', x: [2, 6, 6, 17], k: 3, cout: 33, stride: 1, pad: 'same' }, // input gradient over 297: split
  { kind: 'depthwise', x: [2, 9, 9, 5], k: 5, cout: 1, stride: 2, pad: 'same' },
  { kind: 'depthwise', x: [2, 10, 10, 3], k: 3, cout: 1, stride: 2, pad: 'valid' },
  { kind: 'depthwise', x: [4, 32, 32, 8], k: 3, cout: 1, stride: 1, pad: 'same' },
  { kind: 'depthwise', x: [1, 8, 8, 2], k: 3, cout: 2, stride: 1, pad: 'valid' },
];

const modelCase = (g: ConvGeometry): Case => ({
  kind: g.kind,
  x: [2, ...g.input],
  k: g.kernel,
  cout: g.kind === 'conv' ? g.outChannels : 1,
  stride: g.stride,
  pad: 'same',
});

/** ∂/∂x and ∂/∂W of a weighted sum of the convolution's output. */
async function grads(c: Case, seed: number): Promise<Float32Array[]> {
  const out = tf.tidy(() => {
    const x = tf.randomUniform(c.x, -1, 1, 'float32', seed) as tf.Tensor4D;
    const f = tf.randomUniform([c.k, c.k, c.x[3], c.cout], -1, 1, 'float32', seed + 1) as tf.Tensor4D;
    const run = (xx: tf.Tensor4D, ff: tf.Tensor4D) =>
      c.kind === 'conv' ? tf.conv2d(xx, ff, c.stride, c.pad) : tf.depthwiseConv2d(xx, ff, c.stride, c.pad);
    const w = tf.randomUniform(run(x, f).shape, -1, 1, 'float32', seed + 2);
    return tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(run(a as tf.Tensor4D, b as tf.Tensor4D), w)))([x, f]);
  });
  const values = await Promise.all(out.map((t) => t.data() as Promise<Float32Array>));
  tf.dispose(out);
  return values;
}

describe('WebGPU convolution gradient kernels (Dawn over SwiftShader)', () => {
  let cases: Case[] = [];
  let reference: Float32Array[][] = [];

  beforeAll(async () => {
    await tf.setBackend('cpu');
    cases = [...ODD, ...modelConvGeometries().map(modelCase)];
    reference = [];
    for (let i = 0; i < cases.length; i++) reference.push(await grads(cases[i], 7 * i));
    const b = await startSwiftShaderWebgpu();
    expect(b.name).toBe('webgpu');
    expect(b.kernels).toBe('own WebGPU gradient kernels, Adam, swish, batch norm and the SE gate');
  }, 300_000);

  /** The worst relative difference of ∂x and ∂W over the first `n` cases, with where it was. */
  async function worst(n = cases.length): Promise<{ value: number; where: string; failing: number }> {
    let value = 0,
      where = '',
      failing = 0;
    for (let i = 0; i < n; i++) {
      const got = await grads(cases[i], 7 * i);
      const d = got.map((g, j) => relDiff(g, reference[i][j]));
      if (Math.min(...d) >= 1e-4) failing++;
      d.forEach((v, j) => {
        if (v > value) [value, where] = [v, `${JSON.stringify(cases[i])} ${j ? 'dW' : 'dx'}`];
      });
    }
    return { value, where, failing };
  }

  it('equal tfjs’s cpu kernels to 1e-4 on every preset model’s convolutions and odd shapes', async () => {
    for (const k of Object.keys(webgpuGradCounts)) delete webgpuGradCounts[k];
    useWebgpuGradKernels('own');
    const w = await worst();
    expect(w.value, w.where).toBeLessThan(1e-4);
    // Every call ran ours: no geometry here falls back to tfjs's.
    for (const name of ['Conv2DBackpropFilter', 'Conv2DBackpropInput', 'DepthwiseConv2dNativeBackpropFilter']) {
      expect(webgpuGradCounts[name], name).toEqual({ own: expect.any(Number), tfjs: 0 });
    }
    expect(webgpuGradCounts.DepthwiseConv2dNativeBackpropInput.tfjs).toBe(0);
    // tfjs's own WebGPU kernels on the odd shapes: the check itself agrees with them too.
    useWebgpuGradKernels('tfjs');
    const theirs = await worst(ODD.length);
    expect(theirs.value, theirs.where).toBeLessThan(1e-4);
    useWebgpuGradKernels('own');
  }, 600_000);

  it('fails the same check when a kernel is made 0.1% wrong', async () => {
    injectWebgpuGradFault(1.001);
    try {
      // The odd shapes run every program of ours (one and two passes, both depthwise kernels).
      const w = await worst(ODD.length);
      // Every case fails, on both of its gradients.
      expect(w.failing).toBe(ODD.length);
    } finally {
      injectWebgpuGradFault(1);
    }
  }, 600_000);

  it('records the work of each gradient dispatch from the programs’ own bounds', async () => {
    // A 1×1 convolution over 8 × 16 × 16 pixels (2,048 rows to reduce for ∂W), 8 → 16 channels.
    const x = tf.randomUniform([8, 16, 16, 8], -1, 1, 'float32', 1) as tf.Tensor4D;
    const f = tf.randomUniform([1, 1, 8, 16], -1, 1, 'float32', 2) as tf.Tensor4D;
    const step = async () => {
      const g = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same')),
      )([x, f]);
      await Promise.all(g.map((t) => t.data()));
      tf.dispose(g);
    };
    const backend = tf.backend() as unknown as WebGPUBackend;
    useWebgpuGradKernels('tfjs');
    const theirs = await recordStep(backend, step);
    useWebgpuGradKernels('own');
    const ours = await recordStep(backend, step);
    // By hand: √2048 = 45.3 → chunks of 48 rows (a multiple of the 16-row tile), ⌈2048/48⌉ = 43 parts.
    expect(splitOf(2048)).toEqual({ chunk: 48, parts: 43 });
    const by = (r: typeof ours, program: string) => r.grads.filter((d) => d.program === program);
    expect(by(theirs, 'conv2DDerFilter')).toEqual([
      // One invocation per weight (8 × 16 = 128, in workgroups of 64), each over all 2,048 pixels.
      expect.objectContaining({ invocations: 128, serialLoop: 2048, multiplyAdds: 2048 * 128 }),
    ]);
    expect(by(theirs, 'conv2DDerInput')).toEqual([
      // vec4 (8 and 16 channels): 2 pixels × 4 channels per invocation, 16 output channels × 8 multiply-adds.
      expect.objectContaining({ serialLoop: 16 * 8, multiplyAdds: 2048 * 128 }),
    ]);
    expect(by(ours, 'conv2dFilterGrad')).toEqual([
      // 16 × 16 tiles: 1 × 1 tiles of the 8 × 16 weights, 43 parts.
      expect.objectContaining({ invocations: 43 * 256, serialLoop: 48, multiplyAdds: 2048 * 128 }),
    ]);
    expect(by(ours, 'partialSum')).toEqual([
      expect.objectContaining({ invocations: 128, serialLoop: 43, multiplyAdds: 43 * 128 }),
    ]);
    // ∂x reduces over 16 output channels: one pass, 128 × 1 tiles of 16 × 16 over 2,048 pixels × 8 channels.
    expect(by(ours, 'conv2dInputGrad')).toEqual([
      expect.objectContaining({ invocations: 128 * 256, serialLoop: 16, multiplyAdds: 2048 * 128 }),
    ]);
    const [s, t] = [summarise(ours), summarise(theirs)];
    expect(s.serialChain).toBe(48 + 43 + 16);
    expect(t.serialChain).toBe(2048 + 128);
    expect(s.gradMultiplyAdds).toBe(t.gradMultiplyAdds);
    expect(s.readbacksPerStep).toBe(2);
    tf.dispose([x, f]);
  }, 300_000);
});
