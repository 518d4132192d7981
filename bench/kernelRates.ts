import * as tf from '@tensorflow/tfjs';

/**
 * GFLOP/s of the convolution kernels alone — forward, input and filter gradients, depthwise — on the
 * reference CNN's layers (batch 64) and a lab-teacher 1×1, through the registered kernels (so
 * whatever path the engine takes there): how near they come to what 128-bit SIMD can do on this CPU.
 */

export interface KernelRate {
  kernel: string;
  geometry: string;
  ms: number;
  gflops: number;
}

interface Case {
  kernel:
    | 'Conv2D'
    | 'Conv2DBackpropFilter'
    | 'Conv2DBackpropInput'
    | 'DepthwiseConv2dNativeBackpropFilter'
    | 'DepthwiseConv2dNativeBackpropInput';
  x: [number, number, number, number];
  filter: [number, number, number, number];
  stride: number;
}

const CASES: Case[] = [
  { kernel: 'Conv2D', x: [64, 32, 32, 32], filter: [3, 3, 32, 64], stride: 2 },
  { kernel: 'Conv2D', x: [64, 16, 16, 64], filter: [1, 1, 64, 128], stride: 1 },
  { kernel: 'Conv2DBackpropInput', x: [64, 32, 32, 32], filter: [3, 3, 32, 64], stride: 2 },
  { kernel: 'Conv2DBackpropInput', x: [64, 16, 16, 64], filter: [1, 1, 64, 128], stride: 1 },
  { kernel: 'Conv2DBackpropFilter', x: [64, 32, 32, 3], filter: [3, 3, 3, 32], stride: 1 },
  { kernel: 'Conv2DBackpropFilter', x: [64, 32, 32, 32], filter: [3, 3, 32, 64], stride: 2 },
  { kernel: 'Conv2DBackpropFilter', x: [64, 16, 16, 64], filter: [1, 1, 64, 128], stride: 1 },
  { kernel: 'Conv2DBackpropFilter', x: [64, 32, 32, 24], filter: [1, 1, 24, 96], stride: 1 },
  { kernel: 'DepthwiseConv2dNativeBackpropFilter', x: [64, 16, 16, 64], filter: [3, 3, 64, 1], stride: 1 },
  { kernel: 'DepthwiseConv2dNativeBackpropFilter', x: [64, 16, 16, 128], filter: [5, 5, 128, 1], stride: 2 },
  { kernel: 'DepthwiseConv2dNativeBackpropInput', x: [64, 16, 16, 64], filter: [3, 3, 64, 1], stride: 1 },
  { kernel: 'DepthwiseConv2dNativeBackpropInput', x: [64, 16, 16, 128], filter: [5, 5, 128, 1], stride: 2 },
];

export function kernelRates(repeats = 5): KernelRate[] {
  return CASES.map((c) => {
    const depthwise = c.kernel.startsWith('Depthwise');
    const info = tf.backend_util.computeConv2DInfo(
      c.x,
      c.filter,
      [c.stride, c.stride],
      1,
      'same',
      undefined,
      depthwise,
    );
    const x = tf.randomNormal(c.x, 0, 1, 'float32', 1);
    const filter = tf.randomNormal(c.filter, 0, 1, 'float32', 2);
    const dy = tf.randomNormal([info.batchSize, info.outHeight, info.outWidth, info.outChannels], 0, 1, 'float32', 3);
    const attrs = {
      strides: [c.stride, c.stride],
      pad: 'same',
      dataFormat: 'NHWC',
      dilations: 1,
      filterShape: c.filter,
      inputShape: c.x,
    };
    const inputs: tf.NamedTensorMap = c.kernel.endsWith('BackpropInput')
      ? { dy, filter }
      : c.kernel === 'Conv2D'
        ? { x, filter }
        : { x, dy };
    const once = () => tf.dispose(tf.engine().runKernel(c.kernel, inputs, attrs as never));
    once();
    let best = Infinity;
    for (let r = 0; r < repeats; r++) {
      const t0 = performance.now();
      once();
      best = Math.min(best, performance.now() - t0);
    }
    tf.dispose([x, filter, dy]);
    const macs =
      info.batchSize *
      info.outHeight *
      info.outWidth *
      info.filterHeight *
      info.filterWidth *
      info.inChannels *
      (depthwise ? 1 : info.outChannels);
    return {
      kernel: c.kernel,
      geometry: `${c.x.slice(1).join('×')} ${c.filter[0]}×${c.filter[1]}${depthwise ? '' : ` →${c.filter[3]}`} s${c.stride}`,
      ms: best,
      gflops: (2 * macs) / best / 1e6,
    };
  });
}
