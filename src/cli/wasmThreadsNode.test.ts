import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { selectBackend } from '../engine/backend';
import { prepareNodeWasmThreads } from './wasmThreadsNode';

// A process of its own (vitest forks one per file): the wasm backend starts once per process.
describe('threaded wasm in Node', () => {
  it('starts tfjs’s threaded build on 2 threads, and a training step gives the cpu backend’s gradients', async () => {
    const report = await selectBackend({ forced: 'wasm', wasmThreads: 2, nodeWasmThreads: prepareNodeWasmThreads });
    expect(report).toMatchObject({ name: 'wasm', threads: 2 });
    expect(URL.createObjectURL.name).toBe('createObjectURL'); // the start-up patch is gone
    const grads = () =>
      tf.tidy(() => {
        const x = tf.randomNormal([8, 24, 24, 8], 0, 1, 'float32', 1) as tf.Tensor4D;
        const w1 = tf.randomNormal([3, 3, 8, 16], 0, 0.2, 'float32', 2) as tf.Tensor4D;
        const w2 = tf.randomNormal([3, 3, 16, 1], 0, 0.2, 'float32', 3) as tf.Tensor4D;
        const w3 = tf.randomNormal([1, 1, 16, 32], 0, 0.2, 'float32', 4) as tf.Tensor4D;
        const loss = (...w: tf.Tensor[]) => {
          let h = tf.relu(tf.conv2d(x, w[0] as tf.Tensor4D, 2, 'same'));
          h = tf.relu(tf.depthwiseConv2d(h, w[1] as tf.Tensor4D, 1, 'same'));
          return tf.mean(tf.square(tf.conv2d(h, w[2] as tf.Tensor4D, 1, 'same')));
        };
        const [ga, gb, gc] = tf.grads(loss)([w1, w2, w3]);
        return [ga, gb, gc].map((g) => Array.from(g.dataSync()));
      });
    const onWasm = grads();
    await tf.setBackend('cpu');
    const onCpu = grads();
    onWasm.forEach((g, i) => {
      const scale = Math.max(...onCpu[i].map(Math.abs));
      g.forEach((v, j) => expect(Math.abs(v - onCpu[i][j])).toBeLessThanOrEqual(1e-4 * Math.max(1, scale)));
    });
  });
});
