import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { relativeToLargest as relDiff } from '../../testing/setup';
import { startSwiftShaderWebgpu } from '../../../cli/swiftShaderWebgpu';
import { swish } from '../fusedOps';
import { modelFusedShapes } from '../modelFusedShapes';
import { injectWebgpuGradFault, useWebgpuGradKernels } from './convGradWebgpu';
import { recordStep } from './webgpuWork';

/**
 * Swish on WebGPU, one program each way, against tfjs's own composition on the same backend (Dawn over
 * SwiftShader): x·σ(x) and its gradient on every activation shape the preset models have, values far
 * into both tails, to 1e-5 of the largest value; one dispatch forward and one back (tfjs's: eight); a
 * program made 0.1% wrong fails the same check.
 */

// Every swish of every preset model (batch 2), and a matrix.
const SHAPES = [
  ...modelFusedShapes()
    .filter((s) => s.op === 'swish')
    .map((s) => [2, ...s.shape]),
  [7, 3],
];

/** y = swish(x) and ∂Σ(w·y)/∂x for x spread over [−12, 12]. */
async function both(shape: number[], seed: number): Promise<Float32Array[]> {
  const out = tf.tidy(() => {
    const x = tf.randomUniform(shape, -12, 12, 'float32', seed);
    const w = tf.randomUniform(shape, -1, 1, 'float32', seed + 1);
    const f = (a: tf.Tensor) => swish(a);
    return [f(x), tf.grad((a: tf.Tensor) => tf.sum(tf.mul(f(a), w)))(x)];
  });
  const values = await Promise.all(out.map((t) => t.data() as Promise<Float32Array>));
  tf.dispose(out);
  return values;
}

async function worst(): Promise<number> {
  let w = 0;
  for (let i = 0; i < SHAPES.length; i++) {
    useWebgpuGradKernels('tfjs');
    const theirs = await both(SHAPES[i], 5 * i);
    useWebgpuGradKernels('own');
    const ours = await both(SHAPES[i], 5 * i);
    w = Math.max(w, ...ours.map((o, j) => relDiff(o, theirs[j])));
  }
  return w;
}

describe('swish on WebGPU (Dawn over SwiftShader)', () => {
  beforeAll(async () => {
    expect((await startSwiftShaderWebgpu()).name).toBe('webgpu');
  }, 300_000);

  it('forward and gradient equal tfjs’s composition to 1e-5; one dispatch each way', async () => {
    const before = tf.memory().numTensors;
    const w = await worst();
    console.log(`WebGPU swish vs tfjs's composition: worst ${w.toExponential(2)} of the largest value`);
    expect(w).toBeLessThanOrEqual(1e-5);
    const backend = tf.backend() as unknown as WebGPUBackend;
    const count = async (k: 'own' | 'tfjs') => {
      useWebgpuGradKernels(k);
      const x = tf.randomUniform([2, 4, 4, 8], -3, 3);
      let g: tf.Tensor | undefined;
      const r = await recordStep(backend, async () => {
        g = tf.grad((a: tf.Tensor) => tf.sum(swish(a)))(x);
        await g.data();
      });
      tf.dispose([x, g!]);
      return r.dispatches;
    };
    const own = await count('own');
    const tfjs = await count('tfjs');
    useWebgpuGradKernels('own');
    console.log(`swish forward + gradient with a sum: ${own} dispatches (ours), ${tfjs} (tfjs's)`);
    // Ours: swish, the sum, swish's gradient; tfjs's composition seven more (measured: 3 against 10).
    expect(own).toBe(3);
    expect(tfjs).toBeGreaterThanOrEqual(3 * own);
    expect(tf.memory().numTensors).toBe(before);
  }, 300_000);

  it('a program made 0.1% wrong fails the same check', async () => {
    injectWebgpuGradFault(1.001);
    try {
      expect(await worst()).toBeGreaterThan(1e-5);
    } finally {
      injectWebgpuGradFault(1);
    }
  }, 300_000);
});
