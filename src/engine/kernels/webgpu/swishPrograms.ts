import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { fault } from './convGradCommon';
import { FlatProgram } from './flatProgram';

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

export const SWISH_KERNELS: [string, tf.KernelFunc][] = [
  ['LabSwish', forward],
  ['LabSwishGrad', backward],
];
