import * as tf from '@tensorflow/tfjs';
import { replaceKernel } from './replaceKernel';

/**
 * Sum and Mean over leading or middle axes on the wasm backend, as XNNPACK average pooling.
 * tfjs-wasm reduces only the innermost axis and transposes the others there first; for batch-norm
 * moments and gradients (over N·H·W) and squeeze-excitation pooling (over H·W) that transpose was
 * most of the cost — a third of a lab-teacher step between them. Reducing the contiguous axes
 * [a, b) of a tensor is an average pool of its [P, R, 1, Q] view with an R×1 window (P = the
 * axes before, R = those reduced, Q = those after); a sum is that mean times R. Reductions that
 * include the last axis, skip an axis, or are not float32 go to tfjs's own kernel.
 */

type Info = tf.TensorInfo;
interface WasmBackend {
  typedArrayFromHeap(t: Info): Float32Array;
  disposeData(id: unknown): void;
}

/** How often the pooled path ran, per kernel: tests read it. */
export const pooledReduceCounts: Record<string, { pooled: number; own: number }> = {
  Sum: { pooled: 0, own: 0 },
  Mean: { pooled: 0, own: 0 },
};

function run(name: string, backend: unknown, inputs: Record<string, Info>, attrs: Record<string, unknown>): Info {
  return tf.getKernel(name, 'wasm').kernelFunc({ inputs, backend: backend as never, attrs: attrs as never }) as Info;
}

/** [P, R, Q] when `axes` are contiguous and leave the last axis, else null. */
export function pooledView(shape: number[], axes: number[]): [number, number, number] | null {
  const sorted = [...axes].sort((a, b) => a - b);
  if (!sorted.length || sorted[sorted.length - 1] >= shape.length - 1) return null;
  for (let i = 1; i < sorted.length; i++) if (sorted[i] !== sorted[i - 1] + 1) return null;
  const prod = (from: number, to: number) => shape.slice(from, to).reduce((n, d) => n * d, 1);
  const [a, b] = [sorted[0], sorted[sorted.length - 1] + 1];
  return [prod(0, a), prod(a, b), prod(b, shape.length)];
}

function pooled(kind: 'Sum' | 'Mean', args: Parameters<tf.KernelFunc>[0]): Info | null {
  const x = (args.inputs as { x: Info }).x;
  if (x.dtype !== 'float32') return null;
  const { axis, keepDims } = args.attrs as { axis: number | number[]; keepDims: boolean };
  const axes = tf.util.parseAxisParam(axis, x.shape);
  const view = pooledView(x.shape, axes);
  if (!view || view[1] === 0) return null;
  const [P, R, Q] = view;
  // tfjs-wasm's AvgPool writes out of bounds from 16,384 channels on (measured: 16,000 pass, 16,384
  // corrupt the heap): such reductions (RKD's pairwise differences of 1,280-wide embeddings) go to tfjs.
  if (Q >= MAX_POOLED_CHANNELS) return null;
  const outShape = x.shape.map((d, i) => (axes.includes(i) ? 1 : d)).filter((_d, i) => keepDims || !axes.includes(i));
  const backend = args.backend as unknown as WasmBackend;
  const image = run('Reshape', backend, { x }, { shape: [P, R, 1, Q] });
  const mean = run(
    'AvgPool',
    backend,
    { x: image },
    { filterSize: [R, 1], strides: [1, 1], pad: 'valid', dimRoundingMode: undefined },
  );
  backend.disposeData(image.dataId);
  if (kind === 'Sum') {
    const v = backend.typedArrayFromHeap(mean);
    for (let i = 0; i < v.length; i++) v[i] *= R;
  }
  const out = run('Reshape', backend, { x: mean }, { shape: outShape });
  backend.disposeData(mean.dataId);
  return out;
}

/** The channel count from which tfjs-wasm's AvgPool (XNNPACK) corrupts memory. */
export const MAX_POOLED_CHANNELS = 16_384;

let registered = false;

/** Idempotent; call before the wasm backend starts (the replaced kernels' setup runs then). */
export function registerPooledReductions(): void {
  if (registered) return;
  for (const kind of ['Sum', 'Mean'] as const) {
    replaceKernel(kind, 'wasm', (own) => (args) => {
      const out = pooled(kind, args);
      pooledReduceCounts[kind][out ? 'pooled' : 'own']++;
      return out ?? own(args);
    });
  }
  registered = true;
}
