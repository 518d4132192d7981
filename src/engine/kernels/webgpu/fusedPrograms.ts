import * as tf from '@tensorflow/tfjs';
import { registerFusedGradients } from '../fusedGradients';
import { useWebgpuFusedWhen } from '../fusedOps';
import { BATCH_NORM_KERNELS } from './batchNormPrograms';
import { CHANNEL_SCALE_KERNELS } from './channelScalePrograms';
import { webgpuGradKernels } from './convGradWebgpu';
import { SWISH_KERNELS } from './swishPrograms';

let registered = false;

/**
 * Registers the fused ops' WebGPU programs — swish, batch norm in training with the moving averages,
 * squeeze-excitation's gate, each with its gradient — under the wasm path's kernel names, after the
 * webgpu backend's module is imported. Idempotent.
 */
export function registerWebgpuFused(): void {
  if (registered) return;
  for (const [kernelName, kernelFunc] of [...SWISH_KERNELS, ...BATCH_NORM_KERNELS, ...CHANNEL_SCALE_KERNELS]) {
    if (tf.getKernel(kernelName, 'webgpu')) tf.unregisterKernel(kernelName, 'webgpu');
    tf.registerKernel({ kernelName, backendName: 'webgpu', kernelFunc });
  }
  registerFusedGradients(); // each fused kernel's gradient is its …Grad kernel, on any backend
  // With tfjs's kernels chosen (--kernels tfjs, the bench's side-by-side rows) these ops are tfjs's too.
  useWebgpuFusedWhen(() => webgpuGradKernels() === 'own');
  registered = true;
}
