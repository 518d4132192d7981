import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { convGeometryOf } from '../convGradLoops';
import {
  conv2dFilterGradPrograms,
  conv2dInputGradPrograms,
  DepthwiseInputGradProgram,
  depthwiseFilterGradPrograms,
  type ConvGradGeometry,
  type CountedProgram,
} from './convGradPrograms';

/**
 * Puts the lab's WebGPU convolution-gradient programs (convGradPrograms.ts) in front of
 * tfjs-backend-webgpu's own for the four gradient kernels, as the wasm kernels are registered: one
 * list, and tfjs's own kernel for what ours do not cover (channels-first, dilation other than 1).
 * `useWebgpuGradKernels('tfjs')` hands every call to tfjs's (the CLI's `--kernels tfjs`, the bench's
 * side-by-side rows) without re-registering.
 */

export { injectWebgpuGradFault } from './convGradPrograms';

/**
 * Which WebGPU kernels run: 'own' — the lab's gradient programs and its fused ones (Adam, swish, batch
 * norm, the SE gate); 'gradients' — the lab's gradient programs with tfjs's Adam and element-wise ops
 * (the engine before the fused programs, for side-by-side figures); 'tfjs' — tfjs's everywhere.
 */
export type WebgpuGradKernels = 'own' | 'gradients' | 'tfjs';
export const WEBGPU_GRAD_KERNELS = [
  'Conv2DBackpropFilter',
  'Conv2DBackpropInput',
  'DepthwiseConv2dNativeBackpropFilter',
  'DepthwiseConv2dNativeBackpropInput',
] as const;
export type GradKernelName = (typeof WEBGPU_GRAD_KERNELS)[number];

let choice: WebgpuGradKernels = 'own';
export function useWebgpuGradKernels(k: WebgpuGradKernels): void {
  choice = k;
}
/** Which kernels WebGPU runs (see WebgpuGradKernels). */
export function webgpuGradKernels(): WebgpuGradKernels {
  return choice;
}

/** What the backend report says of the gradient kernels on WebGPU. */
export function webgpuKernelsName(): string {
  if (choice === 'own') return 'own WebGPU gradient kernels, Adam, swish, batch norm and the SE gate';
  return choice === 'gradients'
    ? 'own WebGPU gradient kernels, tfjs’s Adam and element-wise ops'
    : 'tfjs’s WebGPU gradient kernels';
}

/** The gradient kernel call in progress, so a dispatch recorder (webgpuWork.ts) can tell whose dispatch it sees. */
export interface GradCall {
  kernel: GradKernelName;
  geometry: ConvGradGeometry;
  path: 'own' | 'tfjs';
}
let current: GradCall | null = null;
export function currentGradCall(): GradCall | null {
  return current;
}

type Attrs = Record<string, unknown>;
type Conv4 = [number, number, number, number];

/** The geometry ours compute, or null where they do not apply (channels-first, dilation). */
function geometryOf(input: number[], filter: number[], a: Attrs, depthwise: boolean): ConvGradGeometry | null {
  if (a.dataFormat !== undefined && a.dataFormat !== 'NHWC') return null;
  const info = tf.backend_util.computeConv2DInfo(
    input as Conv4,
    filter as Conv4,
    a.strides as [number, number],
    (a.dilations ?? 1) as number,
    a.pad as 'same',
    a.dimRoundingMode as 'floor' | undefined,
    depthwise,
  );
  if (info.dilationHeight !== 1 || info.dilationWidth !== 1) return null;
  return { ...convGeometryOf(info), mult: depthwise ? filter[3] : 1 };
}

/** Runs a program chain: each program reads the previous one's output; intermediates are freed. */
function runChain(backend: WebGPUBackend, programs: CountedProgram[], inputs: tf.TensorInfo[]): tf.TensorInfo {
  let out = backend.runWebGPUProgram(programs[0], inputs, 'float32');
  for (const p of programs.slice(1)) {
    const next = backend.runWebGPUProgram(p, [out], 'float32');
    backend.disposeData(out.dataId);
    out = next;
  }
  return out;
}

interface OwnKernel {
  name: GradKernelName;
  /** The geometry, or null where ours do not apply. */
  geometry(inputs: Record<string, tf.TensorInfo>, attrs: Attrs): ConvGradGeometry | null;
  programs(g: ConvGradGeometry): CountedProgram[];
  inputs(inputs: Record<string, tf.TensorInfo>): tf.TensorInfo[];
}

const OWN: OwnKernel[] = [
  {
    name: 'Conv2DBackpropFilter',
    geometry: ({ x }, a) => geometryOf(x.shape, a.filterShape as number[], a, false),
    programs: conv2dFilterGradPrograms,
    inputs: ({ x, dy }) => [x, dy],
  },
  {
    name: 'Conv2DBackpropInput',
    geometry: ({ filter }, a) => geometryOf(a.inputShape as number[], filter.shape, a, false),
    programs: conv2dInputGradPrograms,
    inputs: ({ dy, filter }) => [dy, filter],
  },
  {
    name: 'DepthwiseConv2dNativeBackpropFilter',
    geometry: ({ x }, a) => geometryOf(x.shape, a.filterShape as number[], a, true),
    programs: depthwiseFilterGradPrograms,
    inputs: ({ x, dy }) => [x, dy],
  },
  {
    name: 'DepthwiseConv2dNativeBackpropInput',
    geometry: ({ filter }, a) => geometryOf(a.inputShape as number[], filter.shape, a, true),
    programs: (g) => [new DepthwiseInputGradProgram(g)],
    inputs: ({ dy, filter }) => [dy, filter],
  },
];

/** How often each kernel ran ours and tfjs's: tests and the bench read it. */
export const webgpuGradCounts: Record<string, { own: number; tfjs: number }> = {};

let registered = false;

/**
 * Registers ours in front of tfjs's four WebGPU gradient kernels. Call after the webgpu backend's
 * module is imported (it registers its kernels then) and before the backend runs them. Idempotent.
 */
export function registerWebgpuConvGradKernels(): void {
  if (registered) return;
  for (const k of OWN) {
    const theirs = tf.getKernel(k.name, 'webgpu');
    if (!theirs) continue;
    tf.unregisterKernel(k.name, 'webgpu');
    tf.registerKernel({
      kernelName: k.name,
      backendName: 'webgpu',
      setupFunc: theirs.setupFunc,
      kernelFunc: (args) => {
        const inputs = args.inputs as Record<string, tf.TensorInfo>;
        const attrs = args.attrs as Attrs;
        const g = k.geometry(inputs, attrs);
        const own = g !== null && choice !== 'tfjs';
        const counts = (webgpuGradCounts[k.name] ??= { own: 0, tfjs: 0 });
        counts[own ? 'own' : 'tfjs']++;
        current = g ? { kernel: k.name, geometry: g, path: own ? 'own' : 'tfjs' } : null;
        try {
          if (!own) return theirs.kernelFunc(args);
          return runChain(args.backend as WebGPUBackend, k.programs(g), k.inputs(inputs));
        } finally {
          current = null;
        }
      },
    });
  }
  registered = true;
}
