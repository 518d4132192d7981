import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { describe, expect, it } from 'vitest';
import { enableRelaxedSimd } from '../../cli/relaxedSimdNode';
import { prepareNodeWasmThreads } from '../../cli/wasmThreadsNode';
import { selectBackend } from '../backend';
import { simdKernels } from './convGradSimd';
import { modelConvGeometries } from './modelConvGeometries';
import { workRange } from './simd/kernelThreads';
import { useFusedOps } from './fusedKernels';
import { modelFusedShapes } from './modelFusedShapes';
import { fusedOpOutputsAndGrads, relErr } from '../testing/fusedOpsCheck';

/**
 * The SIMD kernels on tfjs's threaded wasm build: each call split by channels over the calling
 * thread and a worker on the shared memory, against tfjs's own cpu kernels on the models'
 * convolutions (this file runs in its own process; the cpu reference is taken first).
 */

describe('kernel threads', () => {
  it('split channels in whole multiples of the SIMD width, covering each once', () => {
    expect([0, 1].map((i) => workRange(40, 2, i, 8))).toEqual([
      [0, 24],
      [24, 40],
    ]);
    expect([0, 1, 2].map((i) => workRange(10, 3, i, 8))).toEqual([
      [0, 8],
      [8, 10],
      [10, 10],
    ]);
    expect([0, 1].map((i) => workRange(6, 2, i, 8))).toEqual([
      [0, 6],
      [6, 6],
    ]);
  });

  it('give the cpu kernels’ gradients and outputs on every model convolution, two threads sharing each large call', async () => {
    await tf.setBackend('cpu');
    const geometries = modelConvGeometries().filter((g) => g.input[0] >= 8);
    const grads = (g: (typeof geometries)[number], seed: number) =>
      tf.tidy(() => {
        const x = tf.randomUniform([4, ...g.input], -1, 1, 'float32', seed) as tf.Tensor4D;
        const fShape: [number, number, number, number] =
          g.kind === 'conv' ? [g.kernel, g.kernel, g.input[2], g.outChannels] : [g.kernel, g.kernel, g.input[2], 1];
        const f = tf.randomUniform(fShape, -1, 1, 'float32', seed + 1) as tf.Tensor4D;
        const run = (xx: tf.Tensor4D, ff: tf.Tensor4D) =>
          g.kind === 'conv' ? tf.conv2d(xx, ff, g.stride, 'same') : tf.depthwiseConv2d(xx, ff, g.stride, 'same');
        const w = tf.randomUniform(run(x, f).shape, -1, 1, 'float32', seed + 2);
        // The input and filter gradients, and the forward output.
        return [
          ...tf.grads((xx: tf.Tensor, ff: tf.Tensor) => tf.sum(tf.mul(run(xx as tf.Tensor4D, ff as tf.Tensor4D), w)))([
            x,
            f,
          ]),
          run(x, f),
        ].map((t) => t.dataSync() as Float32Array);
      });
    const reference = geometries.map((g, i) => grads(g, 5 * i));

    enableRelaxedSimd();
    const report = await selectBackend({ forced: 'wasm', wasmThreads: 2, nodeWasmThreads: prepareNodeWasmThreads });
    expect(report).toMatchObject({ name: 'wasm', threads: 2, kernels: 'relaxed+fused', kernelThreads: 2 });
    const k = simdKernels(tf.backend());
    if (typeof k === 'string') throw new Error(k);
    expect(k.shared).toBe(true);
    // The worker starts on its own time; calls before that run on one thread (and are still right).
    for (let i = 0; i < 100 && !k.threads!.ready; i++) await new Promise((r) => setTimeout(r, 50));
    expect(k.threads!.ready).toBe(true);

    geometries.forEach((g, i) => {
      const got = grads(g, 5 * i);
      for (const j of [0, 1, 2]) {
        let diff = 0,
          scale = 1;
        for (let n = 0; n < got[j].length; n++) {
          diff = Math.max(diff, Math.abs(got[j][n] - reference[i][j][n]));
          scale = Math.max(scale, Math.abs(reference[i][j][n]));
        }
        expect(diff / scale, `${g.where} ${JSON.stringify(g)} ${['dx', 'dW', 'forward'][j]}`).toBeLessThan(1e-4);
      }
    });
    expect(k.threads!.calls).toBeGreaterThan(10);

    // A worker whose share traps (here: reading past the end of memory) fails the call instead of
    // leaving it waiting, and the threads serve the next call.
    const beyond = k.memory.buffer.byteLength + 4096;
    const geometry = [2, 4, 4, 8, 4, 4, 8, 1, 1, 1, 1, 0, 0];
    expect(() => k.threads!.run('convForward', [beyond, beyond, beyond, ...geometry], 2, 1, () => {})).toThrow(
      /SIMD kernel thread failed in convForward/,
    );
    const again = grads(geometries[0], 0);
    const first = reference[0];
    expect(again[2].every((v, n) => Math.abs(v - first[2][n]) <= 1e-4 * Math.max(1, Math.abs(first[2][n])))).toBe(true);
  });

  it('run the fused ops on two threads, equal to tfjs’s own ops on the models’ shapes', () => {
    const k = simdKernels(tf.backend());
    if (typeof k === 'string') throw new Error(k);
    expect(k.threads?.ready).toBe(true);
    const threadCalls = k.threads!.calls;
    // Batch 8: the lab models' activations are then large enough to be split (small ones run on one thread).
    modelFusedShapes().forEach((s, i) => {
      useFusedOps(false);
      const reference = fusedOpOutputsAndGrads(s, 8, 3 * i + 1);
      useFusedOps(true);
      const got = fusedOpOutputsAndGrads(s, 8, 3 * i + 1);
      got.forEach((g, j) =>
        expect(relErr(g, reference[j]), `${s.where} ${s.op} ${s.shape.join('×')} output ${j}`).toBeLessThan(1e-5),
      );
    });
    // Each op's forward and backward split: swish, the statistics, normalising, both gradient passes, SE.
    expect(k.threads!.calls - threadCalls).toBeGreaterThan(50);
  });
});
