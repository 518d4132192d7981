import type { WebGPUBackend, WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import type { ConvGradGeometry, DispatchWork } from './convGradPrograms';
import { currentGradCall, type GradCall, type GradKernelName } from './convGradWebgpu';
import { onRawDispatch } from './rawDispatch';

/**
 * What a GPU would see of a training step, counted without one: every dispatch the WebGPU backend
 * records (on any adapter, SwiftShader included — the counts depend on shapes, not on the device),
 * the queue submits and the reads back; for each convolution-gradient dispatch its invocations, the
 * longest serial loop one invocation runs and its multiply-adds. Ours state theirs (convGradPrograms.ts);
 * tfjs 4.22's are read off its programs' own dispatch and loop bounds (tfjsGradWork).
 */

export interface GradDispatch extends DispatchWork {
  kernel: GradKernelName;
  path: 'own' | 'tfjs';
  program: string;
}

export interface StepRecord {
  dispatches: number;
  /** Dispatches per program (tfjs's shader key up to its first '_', ours by name): where a step's dispatches go. */
  byProgram: Record<string, number>;
  submits: number;
  readbacks: number;
  grads: GradDispatch[];
}

export interface WorkSummary {
  /** Σ over the step's gradient dispatches of the longest serial loop (they run one after another). */
  serialChain: number;
  /** The fewest invocations of any gradient dispatch. */
  minInvocations: number;
  /** The fewest invocations of a gradient dispatch doing over 4 M multiply-adds (null: none that large). */
  minInvocationsOver4M: number | null;
  gradDispatches: number;
  gradMultiplyAdds: number;
  dispatchesPerStep: number;
  submitsPerStep: number;
  readbacksPerStep: number;
  /** The programs with the most dispatches in the step, most first. */
  topPrograms: [string, number][];
}

const ceilDiv = (a: number, b: number) => Math.ceil(a / b);

/**
 * tfjs-backend-webgpu 4.22's gradient programs, from their sources (conv_backprop_webgpu.ts,
 * conv_backprop_depthwise_webgpu.ts): the loop one invocation runs, in multiply-adds.
 *  - conv2DDerFilter: one weight per invocation, loops batch × outH × outW;
 *  - conv2DDerInput (naive): one input value, loops the taps × outC (vec4 variant: 2 pixels × 4 channels
 *    per invocation, so 8 multiply-adds per tap and output channel);
 *  - depthwise filter: one weight, loops batch × outH × outW; depthwise input: one value, taps × multiplier.
 * A tap meets an output pixel for ⌈f/s⌉ of the f positions per axis.
 */
function tfjsGradSerialLoop(shaderKey: string, g: ConvGradGeometry, isVec4: boolean): number {
  const taps = ceilDiv(g.fH, g.strideH) * ceilDiv(g.fW, g.strideW);
  if (shaderKey.startsWith('conv2DDerFilter')) return g.batch * g.outH * g.outW;
  if (shaderKey.startsWith('conv2DDerInput')) return taps * g.outC * (isVec4 ? 8 : 1);
  if (shaderKey.startsWith('depthwise_conv2d_backprop_filter')) return g.batch * g.outH * g.outW;
  if (shaderKey.startsWith('depthwise_conv2d_backprop_input')) return taps * g.mult;
  throw new Error(`no loop bound known for tfjs program ${shaderKey}`);
}

/** The multiply-adds of a gradient, whichever program computes it. */
export function gradMultiplyAdds(kernel: GradKernelName, g: ConvGradGeometry): number {
  const pixels = g.batch * g.outH * g.outW;
  return kernel.startsWith('Depthwise') ? pixels * g.fH * g.fW * g.inC * g.mult : pixels * g.fH * g.fW * g.inC * g.outC;
}

const TFJS_PROGRAMS = [
  'conv2DDerFilter',
  'conv2DDerInput',
  'depthwise_conv2d_backprop_filter',
  'depthwise_conv2d_backprop_input',
];

/** A program's name from its shader key: ours are fdl_<name>_…, tfjs's start with one of theirs. */
function programName(shaderKey: string): string {
  const own = /^fdl_([A-Za-z0-9]+)/.exec(shaderKey);
  return own ? own[1] : (TFJS_PROGRAMS.find((p) => shaderKey.startsWith(p)) ?? shaderKey.split('_')[0]);
}

function workOf(program: WebGPUProgram & Partial<DispatchWork>, call: GradCall): DispatchWork {
  if (call.path === 'own' && program.serialLoop !== undefined)
    return { invocations: program.invocations!, serialLoop: program.serialLoop, multiplyAdds: program.multiplyAdds! };
  const [x, y, z] = program.dispatch;
  const [wx, wy, wz] = program.workgroupSize;
  const isVec4 = (program as { isVec4?: boolean }).isVec4 === true;
  return {
    invocations: x * y * z * wx * wy * wz,
    serialLoop: tfjsGradSerialLoop(program.shaderKey, call.geometry, isVec4),
    multiplyAdds: gradMultiplyAdds(call.kernel, call.geometry),
  };
}

/**
 * A program with the same bindings, workgroup size and key space, whose body does nothing, on one
 * workgroup: counting needs the step's control flow (which programs, which dispatches, when it submits
 * and reads back), not its values, and a software adapter runs the real bodies of a lab-teacher step in
 * tens of minutes.
 */
function dryRun(program: WebGPUProgram): void {
  const flat = !(program.dispatchLayout.y?.length || program.dispatchLayout.z?.length);
  const uses = program.variableNames.map((n) => `_ = ${n}[0];`).join(' ');
  const out = program.atomic ? '_ = atomicLoad(&result[0]);' : '_ = result[0];';
  program.getUserCode = () => `fn main(${flat ? 'index : i32' : ''}) { _ = uniforms.outShape; ${uses} ${out} }`;
  program.shaderKey = `dry_${program.shaderKey}`;
  program.dispatch = [1, 1, 1];
}

/**
 * Runs `step` on the WebGPU backend and records what it dispatched, submitted and read back. The
 * step must leave no work queued (await a value it computes). `dry`: every program's body is replaced
 * by an empty one on a single workgroup (dryRun) — the counts are the same, the values are not.
 */
export async function recordStep(
  backend: WebGPUBackend,
  step: () => Promise<void>,
  { dry = false }: { dry?: boolean } = {},
): Promise<StepRecord> {
  const record: StepRecord = { dispatches: 0, byProgram: {}, submits: 0, readbacks: 0, grads: [] };
  const b = backend as unknown as {
    runWebGPUProgram: WebGPUBackend['runWebGPUProgram'];
    submitQueue: () => void;
    getBufferData: (buffer: unknown) => Promise<unknown>;
  };
  const run = b.runWebGPUProgram;
  const submit = b.submitQueue;
  const read = b.getBufferData;
  b.runWebGPUProgram = function (program, ...rest) {
    record.dispatches++;
    const name = programName(program.shaderKey);
    record.byProgram[name] = (record.byProgram[name] ?? 0) + 1;
    const call = currentGradCall();
    // A second pass (its partial sums) is part of the gradient too: it runs inside the same call.
    if (call) record.grads.push({ kernel: call.kernel, path: call.path, program: name, ...workOf(program, call) });
    if (dry) dryRun(program);
    return run.call(this, program, ...rest);
  };
  b.submitQueue = function () {
    record.submits++;
    submit.call(this);
  };
  b.getBufferData = function (buffer) {
    record.readbacks++;
    return read.call(this, buffer);
  };
  // The lab's own in-place dispatches (rawDispatch.ts) go around runWebGPUProgram.
  onRawDispatch((name) => {
    record.dispatches++;
    record.byProgram[name] = (record.byProgram[name] ?? 0) + 1;
  });
  try {
    await step();
  } finally {
    onRawDispatch(null);
    b.runWebGPUProgram = run;
    b.submitQueue = submit;
    b.getBufferData = read;
  }
  return record;
}

export function summarise(r: StepRecord): WorkSummary {
  const big = r.grads.filter((d) => d.multiplyAdds > 4e6);
  return {
    serialChain: r.grads.reduce((s, d) => s + d.serialLoop, 0),
    minInvocations: Math.min(...r.grads.map((d) => d.invocations)),
    minInvocationsOver4M: big.length ? Math.min(...big.map((d) => d.invocations)) : null,
    gradDispatches: r.grads.length,
    // The convolutions' own work, without the second passes' additions.
    gradMultiplyAdds: r.grads.filter((d) => d.program !== 'partialSum').reduce((s, d) => s + d.multiplyAdds, 0),
    dispatchesPerStep: r.dispatches,
    submitsPerStep: r.submits,
    readbacksPerStep: r.readbacks,
    topPrograms: Object.entries(r.byProgram)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 8),
  };
}
