import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { useWebgpuAdamWhen, type AdamSlot } from '../fusedAdam';
import { fault } from './convGradCommon';
import { FlatProgram } from './flatProgram';
import { webgpuGradKernels } from './convGradWebgpu';
import { encodeDispatch, grid, internals } from './rawDispatch';

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

/** Variables per in-place dispatch: w, m, v and g are four storage buffers, and tfjs's device has eight. */
export const ADAM_VARIABLES_PER_DISPATCH = 2;
const ADAM_GROUP = 64;

const pipelines = new Map<string, GPUComputePipeline>();

/**
 * Adam for K variables in one dispatch, in place: w, m and v of each are read-write storage, g read-only;
 * invocation i updates element i of the first variable, or i − n0 of the second, and so on. The same
 * operations in the same order as the three programs above (and tfjs's Adam).
 */
function inPlaceShader(k: number): string {
  const vars = Array.from({ length: k }, (_, j) => j);
  const bindings = vars
    .map(
      (j) => `@group(0) @binding(${4 * j}) var<storage, read_write> w${j} : array<f32>;
@group(0) @binding(${4 * j + 1}) var<storage, read_write> m${j} : array<f32>;
@group(0) @binding(${4 * j + 2}) var<storage, read_write> v${j} : array<f32>;
@group(0) @binding(${4 * j + 3}) var<storage, read> g${j} : array<f32>;`,
    )
    .join('\n');
  const update = (j: number) => `
    let mNew = m${j}[i] * u.beta1 + g${j}[i] * u.oneMinusBeta1;
    let gi = g${j}[i];
    let vNew = v${j}[i] * u.beta2 + (gi * gi) * u.oneMinusBeta2;
    m${j}[i] = mNew;
    v${j}[i] = vNew;
    let step = (mNew / u.c1) / (sqrt(vNew / u.c2) + u.epsilon);
    w${j}[i] = (step * u.negLr + w${j}[i])${fault().wgsl};`;
  const body = vars.map((j) => `  if (i < u.n${j}) {${update(j)}\n    return;\n  }\n  i = i - u.n${j};`).join('\n');
  return `
struct Uniforms {
  beta1 : f32, oneMinusBeta1 : f32, beta2 : f32, oneMinusBeta2 : f32,
  c1 : f32, c2 : f32, epsilon : f32, negLr : f32,
  ${vars.map((j) => `n${j} : i32,`).join(' ')}
};
${bindings}
@group(0) @binding(${4 * k}) var<uniform> u : Uniforms;
@compute @workgroup_size(${ADAM_GROUP})
fn main(@builtin(workgroup_id) wid : vec3<u32>, @builtin(num_workgroups) nw : vec3<u32>,
        @builtin(local_invocation_index) lid : u32) {
  var i = i32((wid.y * nw.x + wid.x) * ${ADAM_GROUP}u + lid);
${body}
}`;
}

function pipelineFor(device: GPUDevice, k: number): GPUComputePipeline {
  const key = `${k}${fault().key}`;
  let p = pipelines.get(key);
  if (!p) {
    p = device.createComputePipeline({
      layout: 'auto',
      compute: { module: device.createShaderModule({ code: inPlaceShader(k) }), entryPoint: 'main' },
    });
    pipelines.set(key, p);
  }
  return p;
}

/**
 * Updates the variables' weights and moments in their own buffers, ADAM_VARIABLES_PER_DISPATCH a
 * dispatch, and says which it updated. A variable whose buffer another tensor shares (a clone, a view
 * still alive) is left to the caller — writing it in place would change that tensor too — as is every
 * one while tfjs times kernels (tf.profile), whose timers expect its own dispatches.
 */
export function adamInPlace(backend: WebGPUBackend, slots: AdamSlot[], a: Record<string, number>): boolean[] {
  const b = internals(backend);
  const shares = (t: tf.TensorInfo) => b.tensorMap.get(t.dataId).refCount > 1;
  const done = slots.map((s) => b.activeTimers == null && !shares(s.w) && !shares(s.m) && !shares(s.v));
  const todo = slots.filter((_, i) => done[i]);
  for (let at = 0; at < todo.length; at += ADAM_VARIABLES_PER_DISPATCH) {
    const group = todo.slice(at, at + ADAM_VARIABLES_PER_DISPATCH);
    const sizes = group.map((s) => tf.util.sizeFromShape(s.w.shape));
    const tensors = group.flatMap((s) => [s.w, s.m, s.v, s.g]);
    for (const t of tensors) b.uploadToGPU(t.dataId);
    const uniforms = b.makeUniforms([
      ...[a.beta1, 1 - a.beta1, a.beta2, 1 - a.beta2, a.c1, a.c2, a.epsilon, -a.learningRate].map((x) => ({
        type: 'float32',
        data: [f32(x)],
      })),
      ...sizes.map((n) => ({ type: 'int32', data: [n] })),
    ]);
    const buffers = [...tensors.map((t) => ({ buffer: b.tensorMap.get(t.dataId).resource as GPUBuffer })), uniforms];
    const total = sizes.reduce((x, y) => x + y, 0);
    encodeDispatch(
      backend,
      'adamInPlace',
      pipelineFor(b.device, group.length),
      buffers,
      tensors,
      grid(Math.ceil(total / ADAM_GROUP)),
    );
    // tfjs keeps a tensor's values on the CPU once read (a checkpoint reads the weights): those are stale now.
    for (const s of group) for (const t of [s.w, s.m, s.v]) b.tensorMap.get(t.dataId).values = null;
  }
  return done;
}

let registered = false;

/** Registers LabAdam for webgpu (after the webgpu backend's module is imported). Idempotent. */
export function registerWebgpuAdam(): void {
  if (registered) return;
  if (tf.getKernel('LabAdam', 'webgpu')) tf.unregisterKernel('LabAdam', 'webgpu');
  tf.registerKernel({ kernelName: 'LabAdam', backendName: 'webgpu', kernelFunc: adamKernel as tf.KernelFunc });
  // With tfjs's kernels chosen (--kernels tfjs, the bench's side-by-side rows) Adam is tfjs's too.
  useWebgpuAdamWhen(
    () => webgpuGradKernels() === 'own',
    (slots, attrs) => adamInPlace(tf.backend() as unknown as WebGPUBackend, slots, attrs),
  );
  registered = true;
}
