import * as tf from '@tensorflow/tfjs';
import { channelScaleShape, fusedOpsActive } from './fusedKernels';

/**
 * The ops an EfficientNet block builds from many small ones, each one kernel where the fused kernels
 * run (fusedKernels.ts: wasm with its SIMD kernels) and tfjs's own composition everywhere else — the
 * very ops tfjs-layers runs, so that other backends, and the engine with the fused ops turned off,
 * compute exactly what they did before.
 */

/**
 * Whether the fused ops run on WebGPU: the lab's own WebGPU kernels are on (webgpu/fusedPrograms.ts
 * registers their programs under the same kernel names).
 */
let webgpuFused: () => boolean = () => false;
export function useWebgpuFusedWhen(active: () => boolean): void {
  webgpuFused = active;
}

/** The fused ops run here: wasm's fused kernels, or WebGPU's programs. */
export function fusedOpsHere(): boolean {
  return fusedOpsActive() || (tf.getBackend() === 'webgpu' && webgpuFused());
}

/** x·σ(x) (tfjs-layers' swish: mul(sigmoid(mul(x, 1)), x)). */
export function swish(x: tf.Tensor): tf.Tensor {
  if (x.dtype === 'float32' && fusedOpsHere()) return tf.engine().runKernel('LabSwish', { x }) as tf.Tensor;
  return tf.tidy(() => tf.mul(tf.sigmoid(tf.mul(x, 1)), x));
}

/**
 * Batch norm in training: [normalised x, batch mean, batch variance] over every axis but the last
 * (tfjs-layers' regularNormalizeBatchInTraining: tf.moments, then tf.batchNorm).
 */
export function batchNormTraining(
  x: tf.Tensor,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  epsilon: number,
): [tf.Tensor, tf.Tensor, tf.Tensor] {
  if (x.dtype === 'float32' && x.rank >= 2 && fusedOpsHere())
    return tf.engine().runKernel('LabBatchNormTrain', { x, scale: gamma, offset: beta }, {
      varianceEpsilon: epsilon,
    } as unknown as tf.NamedAttrMap) as [tf.Tensor, tf.Tensor, tf.Tensor];
  return tf.tidy(() => {
    const axes = Array.from({ length: x.rank - 1 }, (_, i) => i);
    const { mean, variance } = tf.moments(x, axes);
    return [tf.batchNorm(x, mean, variance, beta, gamma, epsilon), mean, variance];
  });
}

/** x [B, …, C] times s [B, 1, …, 1, C]: squeeze-and-excitation's gate (tfjs: a broadcasting mul). */
export function channelScale(x: tf.Tensor, s: tf.Tensor): tf.Tensor {
  if (x.dtype === 'float32' && s.dtype === 'float32' && channelScaleShape(x.shape, s.shape) && fusedOpsHere())
    return tf.engine().runKernel('LabChannelScale', { x, s }) as tf.Tensor;
  return tf.mul(x, s);
}
