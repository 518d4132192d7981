import * as tf from '@tensorflow/tfjs';

/**
 * The gradients of the lab's fused kernels, by kernel name: each backend that has a kernel (wasm's SIMD
 * kernels in fusedKernels.ts, the WebGPU programs of webgpu/) has its gradient kernel too, so one
 * registration serves both.
 */
const GRADIENTS: tf.GradConfig[] = [
  {
    kernelName: 'LabSwish',
    inputsToSave: ['x'],
    gradFunc: (dy, [x]) => ({
      x: () => tf.engine().runKernel('LabSwishGrad', { x, dy: dy as tf.Tensor }) as tf.Tensor,
    }),
  },
  {
    kernelName: 'LabBatchNormTrain',
    inputsToSave: ['x', 'scale'],
    outputsToSave: [false, true, true],
    gradFunc: (dys, [x, scale, mean, variance], attrs) => {
      // The engine hands zeros for outputs that no gradient reached (the moving averages' mean and variance).
      const [dy, dmean, dvariance] = dys as tf.Tensor[];
      // One kernel call for all three gradients, made here: the engine disposes what each closure makes.
      const [dx, dScale, dOffset] = tf
        .engine()
        .runKernel('LabBatchNormTrainGrad', { dy, x, mean, variance, scale, dmean, dvariance }, attrs) as tf.Tensor[];
      return { x: () => dx, scale: () => dScale, offset: () => dOffset };
    },
  },
  {
    kernelName: 'LabChannelScale',
    inputsToSave: ['x', 's'],
    gradFunc: (dy, [x, s]) => {
      const [dx, ds] = tf.engine().runKernel('LabChannelScaleGrad', { dy: dy as tf.Tensor, x, s }) as tf.Tensor[];
      return { x: () => dx, s: () => ds };
    },
  },
];

let gradientsRegistered = false;
/**
 * The fused kernels' gradients (by kernel name, for every backend that has the kernels: wasm here, the
 * WebGPU programs of kernels/webgpu/ for those it has). Idempotent.
 */
export function registerFusedGradients(): void {
  if (gradientsRegistered) return;
  for (const g of GRADIENTS) tf.registerGradient(g);
  gradientsRegistered = true;
}
