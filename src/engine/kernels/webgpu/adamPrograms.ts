import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { useWebgpuAdamWhen } from '../fusedAdam';
import { fault } from './convGradCommon';
import { FlatProgram } from './flatProgram';
import { webgpuGradKernels } from './convGradWebgpu';

/**
 * Adam on WebGPU in three programs per variable instead of tfjs's fourteen element-wise ones: the first
 * moment, the second moment, then the weight from the two new moments — registered as `LabAdam` for
 * webgpu, the kernel name the wasm path's fused Adam uses (fusedAdam.ts). Each program does tfjs's
 * operations in tfjs's order (AdamOptimizer.applyGradients), with tfjs's constants as float32 uniforms:
 *   m' = m·β1 + g·(1 − β1)      v' = v·β2 + g²·(1 − β2)      w' = (m'/c1) / (√(v'/c2) + ε) · (−lr) + w
 * where c1 = 1 − β1^t and c2 = 1 − β2^t. The constants are uniforms, not shader text, so one pipeline
 * serves every step and every variable of a size class. A GPU may fuse a multiply and an add, so the
 * result is tfjs's within float32 rounding, not always bit for bit.
 */

abstract class AdamPart extends FlatProgram {
  abstract uniforms: string;

  constructor(shape: number[], part: string) {
    super(shape, `fdl_adam_${part}${fault().key}`);
  }
}

/** m' = m·β1 + g·(1 − β1). */
class FirstMomentProgram extends AdamPart {
  variableNames = ['m', 'g'];
  uniforms = 'beta : f32, oneMinusBeta : f32,';
  constructor(shape: number[]) {
    super(shape, 'm');
  }
  getUserCode(): string {
    return `
fn main(index : i32) {
  if (index < uniforms.size) {
    result[index] = m[index] * uniforms.beta + g[index] * uniforms.oneMinusBeta;
  }
}`;
  }
}

/** v' = v·β2 + g²·(1 − β2). */
class SecondMomentProgram extends AdamPart {
  variableNames = ['v', 'g'];
  uniforms = 'beta : f32, oneMinusBeta : f32,';
  constructor(shape: number[]) {
    super(shape, 'v');
  }
  getUserCode(): string {
    return `
fn main(index : i32) {
  if (index < uniforms.size) {
    let gi = g[index];
    result[index] = v[index] * uniforms.beta + (gi * gi) * uniforms.oneMinusBeta;
  }
}`;
  }
}

/** w' = (m'/c1) / (√(v'/c2) + ε) · (−lr) + w. */
class WeightProgram extends AdamPart {
  variableNames = ['w', 'm1', 'v1'];
  uniforms = 'c1 : f32, c2 : f32, epsilon : f32, negLr : f32,';
  constructor(shape: number[]) {
    super(shape, 'w');
  }
  getUserCode(): string {
    return `
fn main(index : i32) {
  if (index < uniforms.size) {
    let step = (m1[index] / uniforms.c1) / (sqrt(v1[index] / uniforms.c2) + uniforms.epsilon);
    result[index] = (step * uniforms.negLr + w[index])${fault().wgsl};
  }
}`;
  }
}

/** Programs per Adam step of one variable (the bench and the tests count dispatches with it). */
export const ADAM_PROGRAMS = 3;

const f32 = Math.fround;

/** The LabAdam kernel for webgpu: inputs w, m, v, g; attrs β1, β2, c1, c2, ε, lr; outputs w', m', v'. */
function adamKernel({ inputs, backend, attrs }: Parameters<tf.KernelFunc>[0]): tf.TensorInfo[] {
  const b = backend as WebGPUBackend;
  const { w, m, v, g } = inputs as Record<string, tf.TensorInfo>;
  const a = attrs as unknown as Record<string, number>;
  const shape = w.shape;
  // One uniform each, as float32 scalars made in JavaScript (tfjs's mul(g, 1 − β1) makes the same).
  const float = (x: number) => ({ type: 'float32', data: [f32(x)] });
  const m1 = b.runWebGPUProgram(new FirstMomentProgram(shape), [m, g], 'float32', [float(a.beta1), float(1 - a.beta1)]);
  const v1 = b.runWebGPUProgram(new SecondMomentProgram(shape), [v, g], 'float32', [
    float(a.beta2),
    float(1 - a.beta2),
  ]);
  const w1 = b.runWebGPUProgram(new WeightProgram(shape), [w, m1, v1], 'float32', [
    float(a.c1),
    float(a.c2),
    float(a.epsilon),
    float(-a.learningRate),
  ]);
  return [w1, m1, v1];
}

let registered = false;

/** Registers LabAdam for webgpu (after the webgpu backend's module is imported). Idempotent. */
export function registerWebgpuAdam(): void {
  if (registered) return;
  if (tf.getKernel('LabAdam', 'webgpu')) tf.unregisterKernel('LabAdam', 'webgpu');
  tf.registerKernel({ kernelName: 'LabAdam', backendName: 'webgpu', kernelFunc: adamKernel as tf.KernelFunc });
  // With tfjs's kernels chosen (--kernels tfjs, the bench's side-by-side rows) Adam is tfjs's too.
  useWebgpuAdamWhen(() => webgpuGradKernels() === 'own');
  registered = true;
}
