import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { registerFusedGradients } from '../fusedGradients';
import { useWebgpuSwishWhen } from '../fusedOps';
import { fault } from './convGradCommon';
import { FlatProgram } from './flatProgram';
import { webgpuGradKernels } from './convGradWebgpu';

/**
 * Swish on WebGPU in one program each way — `LabSwish` and `LabSwishGrad`, the kernel names the wasm
 * path's fused swish uses (fusedKernels.ts, whose gradient registration routes LabSwish's gradient to
 * LabSwishGrad on any backend) — instead of tfjs's three element-wise programs forward and seven back:
 *   y = x·σ(x),  σ(x) = 1 / (1 + e^(−x))   (tfjs-webgpu's sigmoid, in the same form)
 *   dx = dy·σ(x)·(1 + x·(1 − σ(x)))        (x·σ(x)'s derivative)
 */

class SwishProgram extends FlatProgram {
  variableNames: string[];

  constructor(
    shape: number[],
    private readonly grad: boolean,
  ) {
    super(shape, `fdl_swish${grad ? 'Grad' : ''}${fault().key}`);
    this.variableNames = grad ? ['x', 'dy'] : ['x'];
  }

  getUserCode(): string {
    const value = this.grad ? 'dy[index] * s * (1.0 + v * (1.0 - s))' : 's * v';
    return `
fn main(index : i32) {
  if (index < uniforms.size) {
    let v = x[index];
    let s = 1.0 / (1.0 + exp(-1.0 * v));
    result[index] = ${value}${fault().wgsl};
  }
}`;
  }
}

const forward: tf.KernelFunc = ({ inputs, backend }) => {
  const { x } = inputs as { x: tf.TensorInfo };
  return (backend as WebGPUBackend).runWebGPUProgram(new SwishProgram(x.shape, false), [x], 'float32');
};

const backward: tf.KernelFunc = ({ inputs, backend }) => {
  const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  return (backend as WebGPUBackend).runWebGPUProgram(new SwishProgram(x.shape, true), [x, dy], 'float32');
};

let registered = false;

/** Registers LabSwish and LabSwishGrad for webgpu (after the webgpu backend's module is imported). Idempotent. */
export function registerWebgpuSwish(): void {
  if (registered) return;
  for (const [kernelName, kernelFunc] of [
    ['LabSwish', forward],
    ['LabSwishGrad', backward],
  ] as const) {
    if (tf.getKernel(kernelName, 'webgpu')) tf.unregisterKernel(kernelName, 'webgpu');
    tf.registerKernel({ kernelName, backendName: 'webgpu', kernelFunc });
  }
  registerFusedGradients(); // LabSwish's gradient is LabSwishGrad, on any backend
  // With tfjs's kernels chosen (--kernels tfjs, the bench's side-by-side rows) swish is tfjs's too.
  useWebgpuSwishWhen(() => webgpuGradKernels() === 'own');
  registered = true;
}
