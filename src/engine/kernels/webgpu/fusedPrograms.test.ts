import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { relativeToLargest as relDiff } from '../../testing/setup';
import { startSwiftShaderWebgpu } from '../../../cli/swiftShaderWebgpu';
import { movingAverage } from '../../models/fusedLayers';
import { batchNormalization } from '../../models/fusedLayers';
import { batchNormTraining, channelScale } from '../fusedOps';
import { modelFusedShapes } from '../modelFusedShapes';
import { injectWebgpuGradFault, useWebgpuGradKernels } from './convGradWebgpu';
import { recordStep } from './webgpuWork';

/**
 * Batch norm in training and squeeze-excitation's gate on WebGPU (batchNormPrograms.ts,
 * channelScalePrograms.ts) against tfjs's own ops on the same backend (Dawn over SwiftShader), on every
 * shape the preset models give them (batch 2): batch norm's output, batch mean and variance, and the
 * gradients of x, scale and offset — with a loss that reaches the mean and variance outputs too, so
 * the dmean/dvariance terms are checked — and the gate's output and both gradients, to 1e-5 of the
 * largest value; the moving averages against tfjs-layers' float32 formula; the dispatches each way; a
 * program made 0.1% wrong fails the same check.
 */

const EPS = 1e-3;
const SHAPES = modelFusedShapes().filter((s) => s.op !== 'swish');

/** Every output and gradient of one fused op on one shape, as arrays. */
async function values(op: 'batchNorm' | 'channelScale', shape: number[], seed: number): Promise<Float32Array[]> {
  const out = tf.tidy(() => {
    const x = tf.randomUniform([2, ...shape], -2, 3, 'float32', seed);
    const C = shape[shape.length - 1];
    if (op === 'batchNorm') {
      const gamma = tf.randomUniform([C], 0.5, 1.5, 'float32', seed + 1);
      const beta = tf.randomUniform([C], -1, 1, 'float32', seed + 2);
      const w = tf.randomUniform(x.shape, -1, 1, 'float32', seed + 3);
      const wm = tf.randomUniform([C], -1, 1, 'float32', seed + 4);
      const wv = tf.randomUniform([C], -1, 1, 'float32', seed + 5);
      const [y, mean, variance] = batchNormTraining(x, gamma, beta, EPS);
      const loss = (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
        const [yy, mm, vv] = batchNormTraining(a, g, b, EPS);
        return tf.addN([tf.sum(tf.mul(yy, w)), tf.sum(tf.mul(mm, wm)), tf.sum(tf.mul(vv, wv))]) as tf.Scalar;
      };
      return [y, mean, variance, ...tf.grads(loss)([x, gamma, beta])];
    }
    const s = tf.randomUniform([2, 1, 1, C], 0, 1, 'float32', seed + 1);
    const w = tf.randomUniform(x.shape, -1, 1, 'float32', seed + 2);
    const f = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(channelScale(a, b), w)) as tf.Scalar;
    return [channelScale(x, s), ...tf.grads(f)([x, s])];
  });
  const arrays = await Promise.all(out.map((t) => t.data() as Promise<Float32Array>));
  tf.dispose(out);
  return arrays;
}

/** The worst difference, ours against tfjs's, over the shapes (all, or every `stride`-th). */
async function worst(stride = 1): Promise<{ worst: number; where: string }> {
  let w = 0,
    where = '';
  for (let i = 0; i < SHAPES.length; i += stride) {
    const { op, shape } = SHAPES[i];
    useWebgpuGradKernels('tfjs');
    const theirs = await values(op as 'batchNorm', shape, 7 * i);
    useWebgpuGradKernels('own');
    const ours = await values(op as 'batchNorm', shape, 7 * i);
    ours.forEach((o, j) => {
      const d = relDiff(o, theirs[j]);
      if (d > w) [w, where] = [d, `${op} ${shape.join('×')} output ${j}`];
    });
  }
  return { worst: w, where };
}

describe('batch norm and the squeeze-excitation gate on WebGPU (Dawn over SwiftShader)', () => {
  beforeAll(async () => {
    expect((await startSwiftShaderWebgpu()).name).toBe('webgpu');
  }, 300_000);

  it('equal tfjs’s ops on every preset model’s shapes to 1e-5, forward and gradients', async () => {
    const before = tf.memory().numTensors;
    expect(SHAPES.filter((s) => s.op === 'batchNorm').length).toBeGreaterThan(20);
    expect(SHAPES.filter((s) => s.op === 'channelScale').length).toBeGreaterThan(15);
    const { worst: w, where } = await worst();
    console.log(
      `WebGPU batch norm and gate vs tfjs's ops, ${SHAPES.length} shapes: worst ${w.toExponential(2)} (${where})`,
    );
    expect(w).toBeLessThanOrEqual(1e-5);
    expect(tf.memory().numTensors).toBe(before);
  }, 600_000);

  it('the moving averages: tfjs-layers’ formula, and the layer’s in training as tfjs’s layer updates them', async () => {
    const orig = tf.randomUniform([48], -1, 1, 'float32', 3);
    const value = tf.randomUniform([48], -1, 1, 'float32', 4);
    useWebgpuGradKernels('own');
    const got = tf.engine().runKernel('LabMovingAverage', { orig, value }, {
      momentum: 0.99,
    } as unknown as tf.NamedAttrMap) as tf.Tensor;
    const want = movingAverage((await orig.data()) as Float32Array, (await value.data()) as Float32Array, 0.99);
    expect(relDiff((await got.data()) as Float32Array, want)).toBeLessThanOrEqual(1e-6);
    tf.dispose([orig, value, got]);

    const x = tf.randomUniform([2, 6, 6, 24], -2, 3, 'float32', 5);
    const moving = async (k: 'own' | 'tfjs') => {
      useWebgpuGradKernels(k);
      const layer = batchNormalization({ momentum: 0.9 });
      tf.dispose(layer.apply(x, { training: true }) as tf.Tensor);
      return Promise.all(layer.getWeights().map((t) => t.data() as Promise<Float32Array>));
    };
    const ours = await moving('own');
    const theirs = await moving('tfjs');
    useWebgpuGradKernels('own');
    // gamma, beta, moving mean, moving variance
    expect(ours.length).toBe(4);
    for (let j = 0; j < 4; j++) expect(relDiff(ours[j], theirs[j])).toBeLessThanOrEqual(1e-6);
    expect(relDiff(ours[2], new Float32Array(24))).toBeGreaterThan(0.01); // the mean moved off zero
    x.dispose();
  }, 300_000);

  it('batch norm: 3 dispatches forward and 4 back; the gate 1 and 2', async () => {
    const backend = tf.backend() as unknown as WebGPUBackend;
    const count = async (k: 'own' | 'tfjs', op: 'batchNorm' | 'channelScale') => {
      useWebgpuGradKernels(k);
      const x = tf.randomUniform([2, 8, 8, 16], -3, 3);
      const s = tf.randomUniform([2, 1, 1, 16]);
      const scale = tf.ones([16]);
      const offset = tf.zeros([16]);
      let g: tf.Tensor[] = [];
      const r = await recordStep(backend, async () => {
        g =
          op === 'batchNorm'
            ? tf.grads(
                (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => tf.sum(batchNormTraining(a, b, c, EPS)[0]) as tf.Scalar,
              )([x, scale, offset])
            : tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(channelScale(a, b)) as tf.Scalar)([x, s]);
        await Promise.all(g.map((t) => t.data()));
      });
      tf.dispose([x, s, scale, offset, ...g]);
      return r.dispatches;
    };
    const ownBn = await count('own', 'batchNorm');
    const tfjsBn = await count('tfjs', 'batchNorm');
    const ownGate = await count('own', 'channelScale');
    const tfjsGate = await count('tfjs', 'channelScale');
    useWebgpuGradKernels('own');
    console.log(`batch norm with a sum: ${ownBn} dispatches (ours), ${tfjsBn} (tfjs's); gate ${ownGate}, ${tfjsGate}`);
    // Ours: 3 forward, the sum (transpose + reduce), the sum's gradient (a fill), 4 back.
    expect(ownBn).toBeLessThanOrEqual(3 + 3 + 4);
    expect(tfjsBn).toBeGreaterThanOrEqual(3 * ownBn);
    expect(ownGate).toBeLessThan(tfjsGate);
  }, 300_000);

  it('a program made 0.1% wrong fails the same check', async () => {
    injectWebgpuGradFault(1.001);
    try {
      expect((await worst(8)).worst).toBeGreaterThan(1e-5);
    } finally {
      injectWebgpuGradFault(1);
    }
  }, 300_000);
});
