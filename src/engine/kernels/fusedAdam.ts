import * as tf from '@tensorflow/tfjs';
import { fusedOpsActive } from './fusedKernels';

/**
 * tfjs's Adam, each variable's update one kernel (LabAdam, simd/adam.as.ts) where the fused kernels
 * run, instead of fourteen element-wise ops with their bookkeeping: on the lab teacher, 144 variables
 * made two thousand ops per step. The kernel does tfjs's operations in tfjs's order, so the weights,
 * the moments and a checkpoint of them are the same bits either way; elsewhere it is tfjs's Adam.
 */

interface AdamState {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: { originalName: string; variable: tf.Variable }[];
  accumulatedSecondMoment: { originalName: string; variable: tf.Variable }[];
  incrementIterations(): void;
}

/** One variable's Adam step: its weight, moments and gradient. */
export interface AdamSlot {
  w: tf.TensorInfo;
  m: tf.TensorInfo;
  v: tf.TensorInfo;
  g: tf.TensorInfo;
}
/** Updates variables in place on the current backend (WebGPU), saying which it updated (webgpu/adamPrograms.ts). */
type InPlace = (slots: AdamSlot[], attrs: Record<string, number>) => boolean[];

/** Whether LabAdam runs on WebGPU: the lab's own WebGPU kernels are on (webgpu/adamPrograms.ts registers it). */
let webgpuAdam: () => boolean = () => false;
let inPlace: InPlace | null = null;
export function useWebgpuAdamWhen(active: () => boolean, update: InPlace): void {
  webgpuAdam = active;
  inPlace = update;
}

/**
 * tfjs's β^t after `steps` updates, as its variable holds it: β, then one float32 multiply by β a step —
 * a float32 product rounded once, which Math.fround of the double product gives exactly. It keeps the
 * last step's power, so a run pays one multiply a step (a restored, earlier step count starts over).
 */
class BetaPower {
  private steps = 0;
  private acc: number;

  constructor(private readonly beta: number) {
    this.acc = Math.fround(beta);
  }

  after(steps: number): number {
    if (steps < this.steps) [this.steps, this.acc] = [0, Math.fround(this.beta)];
    for (; this.steps < steps; this.steps++) this.acc = Math.fround(this.acc * Math.fround(this.beta));
    return this.acc;
  }
}

export class FusedAdam extends tf.AdamOptimizer {
  private powers?: [BetaPower, BetaPower];

  override applyGradients(variableGradients: Parameters<tf.AdamOptimizer['applyGradients']>[0]): void {
    const onWebgpu = tf.getBackend() === 'webgpu' && webgpuAdam();
    if (!fusedOpsActive() && !onWebgpu) return super.applyGradients(variableGradients);
    const s = this as unknown as AdamState;
    const list = Array.isArray(variableGradients);
    const names = list ? variableGradients.map((v) => v.name) : Object.keys(variableGradients);
    tf.tidy(() => {
      // tfjs's 1 − β^t, in float32 as its sub(1, accBeta) gives them. On WebGPU from the step count (a
      // read of accBeta would wait for the GPU every step); it holds what the variable holds.
      this.powers ??= [new BetaPower(s.beta1), new BetaPower(s.beta2)];
      const a1 = onWebgpu ? this.powers[0].after(this.iterations) : s.accBeta1.dataSync()[0];
      const a2 = onWebgpu ? this.powers[1].after(this.iterations) : s.accBeta2.dataSync()[0];
      const c1 = Math.fround(1 - a1);
      const c2 = Math.fround(1 - a2);
      const attrs = { beta1: s.beta1, beta2: s.beta2, c1, c2, epsilon: s.epsilon, learningRate: s.learningRate };
      // One variable's step as LabAdam's kernel: new tensors, assigned.
      const kernelStep = ({ w, m, v, g }: AdamSlot) => {
        const [w1, m1, v1] = tf
          .engine()
          .runKernel(
            'LabAdam',
            { w, m, v, g } as unknown as tf.NamedTensorMap,
            attrs as unknown as tf.NamedAttrMap,
          ) as tf.Tensor[];
        (m as tf.Variable).assign(m1);
        (v as tf.Variable).assign(v1);
        (w as tf.Variable).assign(w1);
      };
      const slots: AdamSlot[] = [];
      names.forEach((name, i) => {
        const value = tf.engine().registeredVariables[name];
        s.accumulatedFirstMoment[i] ??= {
          originalName: `${name}/m`,
          variable: tf.tidy(() => tf.zerosLike(value).variable(false)),
        };
        s.accumulatedSecondMoment[i] ??= {
          originalName: `${name}/v`,
          variable: tf.tidy(() => tf.zerosLike(value).variable(false)),
        };
        const gradient = list ? variableGradients[i].tensor : (variableGradients as tf.NamedTensorMap)[name];
        if (gradient == null) return;
        const slot = {
          w: value,
          m: s.accumulatedFirstMoment[i].variable,
          v: s.accumulatedSecondMoment[i].variable,
          g: gradient,
        };
        if (onWebgpu && inPlace) slots.push(slot);
        else kernelStep(slot);
      });
      // WebGPU: the weights and moments written in their own buffers, two variables a dispatch; one
      // that cannot be (inPlace says why) takes LabAdam's three programs and an assign.
      const done = slots.length ? inPlace!(slots, attrs) : [];
      slots.forEach((slot, j) => {
        if (!done[j]) kernelStep(slot);
      });
      s.accBeta1.assign(tf.mul(s.accBeta1, s.beta1));
      s.accBeta2.assign(tf.mul(s.accBeta2, s.beta2));
    });
    s.incrementIterations();
  }
}

/** Adam as tf.train.adam makes it (β1 0.9, β2 0.999, ε from the backend), fused where it can be. */
export function adam(learningRate: number): tf.Optimizer {
  return new FusedAdam(learningRate, 0.9, 0.999);
}
