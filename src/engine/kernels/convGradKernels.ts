import * as tf from '@tensorflow/tfjs';
import type { KernelSetupFunc } from '@tensorflow/tfjs-core';
import { conv2dFilterGradWasm, conv2dInputGradWasm, depthwiseInputGradWasm } from './convGradComposed';
import { conv2dFilterGrad, convGeometryOf, depthwiseFilterGrad, depthwiseInputGrad } from './convGradLoops';
import {
  conv2dFilterGradSimd,
  conv2dInputGradSimd,
  depthwiseFilterGradSimd,
  depthwiseInputGradSimd,
} from './convGradSimd';

/**
 * Registers the convolution-gradient kernels for the cpu and wasm backends: cpu's own are
 * ~100× slower than these loops, and wasm (4.22) has none, so CNNs could not train there.
 * On wasm each kernel tries, in order: the project's SIMD kernels (convGradSimd.ts), the composed
 * XNNPACK kernels (convGradComposed.ts), the JavaScript loops (convGradLoops.ts).
 */

type Attrs = Record<string, unknown>;
type Conv4 = [number, number, number, number];

function checkChannelsLast(attrs: Attrs, kernel: string) {
  if (attrs.dataFormat !== undefined && attrs.dataFormat !== 'NHWC')
    throw new Error(`${kernel}: only NHWC is supported.`);
}

/** How a backend exposes tensor memory to plain JS, and takes a result back. */
interface HeapAccess {
  read(backend: unknown, t: tf.TensorInfo): Float32Array;
  write(backend: unknown, shape: number[], values: Float32Array): tf.TensorInfo;
}

const cpuHeap: HeapAccess = {
  read: (backend, t) => (backend as { data: { get(id: unknown): { values: Float32Array } } }).data.get(t.dataId).values,
  write: (backend, shape, values) =>
    (backend as { makeTensorInfo(s: number[], d: string, v: Float32Array): tf.TensorInfo }).makeTensorInfo(
      shape,
      'float32',
      values,
    ),
};

interface WasmBackendLike {
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
  makeOutput(shape: number[], dtype: string): tf.TensorInfo;
}

const wasmHeap: HeapAccess = {
  read: (backend, t) => (backend as WasmBackendLike).typedArrayFromHeap(t),
  write: (backend, shape, values) => {
    const b = backend as WasmBackendLike;
    const out = b.makeOutput(shape, 'float32');
    b.typedArrayFromHeap(out).set(values);
    return out;
  },
};

type WasmBackend = Parameters<typeof conv2dFilterGradWasm>[0];

type Path = 'simd' | 'composed' | 'loop';
/** How often each kernel took each path: tests and the bench read it. */
export const kernelPathCounts: Record<string, Record<Path, number>> = {};
function count(kernel: string, path: Path) {
  (kernelPathCounts[kernel] ??= { simd: 0, composed: 0, loop: 0 })[path]++;
}
/** The first path that gives a result, counted; null when none of the fast ones applies. */
function firstOf(kernel: string, paths: [Path, () => tf.TensorInfo | null][]): tf.TensorInfo | null {
  for (const [path, run] of paths) {
    const out = run();
    if (out) {
      count(kernel, path);
      return out;
    }
  }
  count(kernel, 'loop');
  return null;
}

function kernels(
  heap: HeapAccess,
  composed: boolean,
): { name: string; kernelFunc: tf.KernelFunc; setupFunc?: KernelSetupFunc }[] {
  const list: { name: string; kernelFunc: tf.KernelFunc; setupFunc?: KernelSetupFunc }[] = [
    {
      name: 'Conv2DBackpropFilter',
      kernelFunc: ({ inputs, backend, attrs }) => {
        const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
        const a = attrs as Attrs;
        checkChannelsLast(a, 'Conv2DBackpropFilter');
        const info = tf.backend_util.computeConv2DInfo(
          x.shape as Conv4,
          a.filterShape as Conv4,
          a.strides as [number, number],
          1,
          a.pad as 'same',
          a.dimRoundingMode as 'floor' | undefined,
        );
        const fast = composed
          ? firstOf('Conv2DBackpropFilter', [
              ['simd', () => conv2dFilterGradSimd(backend, x, dy, info)],
              ['composed', () => conv2dFilterGradWasm(backend as unknown as WasmBackend, x, dy, info)],
            ])
          : null;
        return (
          fast ??
          heap.write(
            backend,
            info.filterShape,
            conv2dFilterGrad(heap.read(backend, x), heap.read(backend, dy), convGeometryOf(info)),
          )
        );
      },
    },
    {
      name: 'DepthwiseConv2dNativeBackpropFilter',
      kernelFunc: ({ inputs, backend, attrs }) => {
        const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
        const a = attrs as Attrs;
        const info = tf.backend_util.computeConv2DInfo(
          x.shape as Conv4,
          a.filterShape as Conv4,
          a.strides as [number, number],
          (a.dilations ?? 1) as number,
          a.pad as 'same',
          a.dimRoundingMode as 'floor' | undefined,
          true,
        );
        const mult = (a.filterShape as Conv4)[3];
        // No composed path: per-tap wasm compositions (gather, product, ones·sum) measured 2× slower than the loop.
        const fast = composed
          ? firstOf('DepthwiseConv2dNativeBackpropFilter', [
              ['simd', () => depthwiseFilterGradSimd(backend, x, dy, info, mult)],
            ])
          : null;
        if (fast) return fast;
        return heap.write(
          backend,
          info.filterShape,
          depthwiseFilterGrad(heap.read(backend, x), heap.read(backend, dy), convGeometryOf(info), mult),
        );
      },
    },
    {
      name: 'DepthwiseConv2dNativeBackpropInput',
      kernelFunc: ({ inputs, backend, attrs }) => {
        const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
        const a = attrs as Attrs;
        const inputShape = a.inputShape as Conv4;
        const info = tf.backend_util.computeConv2DInfo(
          inputShape,
          filter.shape as Conv4,
          a.strides as [number, number],
          (a.dilations ?? 1) as number,
          a.pad as 'same',
          a.dimRoundingMode as 'floor' | undefined,
          true,
        );
        const mult = filter.shape[3];
        const fast = composed
          ? firstOf('DepthwiseConv2dNativeBackpropInput', [
              ['simd', () => depthwiseInputGradSimd(backend, dy, filter, info)],
              ['composed', () => depthwiseInputGradWasm(backend as unknown as WasmBackend, dy, filter, info)],
            ])
          : null;
        if (fast) return fast;
        return heap.write(
          backend,
          inputShape,
          depthwiseInputGrad(heap.read(backend, dy), heap.read(backend, filter), convGeometryOf(info), mult),
        );
      },
    },
  ];
  if (composed) {
    // wasm's own Conv2DBackpropInput is a scalar loop; the composed one runs on XNNPACK.
    const ownConfig = tf.getKernel('Conv2DBackpropInput', 'wasm');
    const own = ownConfig.kernelFunc;
    list.push({
      name: 'Conv2DBackpropInput',
      // Keeps the replaced kernel's setup (its wasm function binding), run when the backend starts.
      setupFunc: ownConfig.setupFunc,
      kernelFunc: (args) => {
        const { dy, filter } = args.inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
        const a = args.attrs as Attrs;
        checkChannelsLast(a, 'Conv2DBackpropInput');
        const info = tf.backend_util.computeConv2DInfo(
          a.inputShape as Conv4,
          filter.shape as Conv4,
          a.strides as [number, number],
          1,
          a.pad as 'same',
          a.dimRoundingMode as 'floor' | undefined,
        );
        return (
          firstOf('Conv2DBackpropInput', [
            ['simd', () => conv2dInputGradSimd(args.backend, dy, filter, info)],
            ['composed', () => conv2dInputGradWasm(args.backend as unknown as WasmBackend, dy, filter, info)],
          ]) ?? own(args)
        );
      },
    });
  }
  return list;
}

const registered = new Set<string>();

/** Idempotent: replaces the backend's own kernel where it has one. */
export function registerConvGradKernels(backendName: 'cpu' | 'wasm'): void {
  if (registered.has(backendName)) return;
  const heap = backendName === 'cpu' ? cpuHeap : wasmHeap;
  for (const k of kernels(heap, backendName === 'wasm')) {
    if (tf.getKernel(k.name, backendName)) tf.unregisterKernel(k.name, backendName);
    tf.registerKernel({ kernelName: k.name, backendName, kernelFunc: k.kernelFunc, setupFunc: k.setupFunc });
  }
  registered.add(backendName);
}
