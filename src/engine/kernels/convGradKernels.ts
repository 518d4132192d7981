import * as tf from '@tensorflow/tfjs';
import { conv2dFilterGrad, depthwiseFilterGrad, depthwiseInputGrad, type ConvGeometry } from './convGradLoops';

/**
 * Registers the convolution-gradient kernels for the cpu and wasm backends: cpu's own are
 * ~100× slower than these loops, and wasm (4.22) has none, so CNNs could not train there.
 */

type Attrs = Record<string, unknown>;
type Conv4 = [number, number, number, number];

function geometry(info: tf.backend_util.Conv2DInfo): ConvGeometry {
  return {
    batch: info.batchSize, inH: info.inHeight, inW: info.inWidth, inC: info.inChannels,
    outH: info.outHeight, outW: info.outWidth, outC: info.outChannels,
    fH: info.filterHeight, fW: info.filterWidth,
    strideH: info.strideHeight, strideW: info.strideWidth,
    dilH: info.dilationHeight, dilW: info.dilationWidth,
    padTop: info.padInfo.top, padLeft: info.padInfo.left,
  };
}

function checkChannelsLast(attrs: Attrs, kernel: string) {
  if (attrs.dataFormat !== undefined && attrs.dataFormat !== 'NHWC') throw new Error(`${kernel}: only NHWC is supported.`);
}

/** How a backend exposes tensor memory to plain JS, and takes a result back. */
interface HeapAccess {
  read(backend: unknown, t: tf.TensorInfo): Float32Array;
  write(backend: unknown, shape: number[], values: Float32Array): tf.TensorInfo;
}

const cpuHeap: HeapAccess = {
  read: (backend, t) => (backend as { data: { get(id: unknown): { values: Float32Array } } }).data.get(t.dataId).values,
  write: (backend, shape, values) => (backend as { makeTensorInfo(s: number[], d: string, v: Float32Array): tf.TensorInfo }).makeTensorInfo(shape, 'float32', values),
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

function kernels(heap: HeapAccess): { name: string; kernelFunc: tf.KernelFunc }[] {
  return [
    {
      name: 'Conv2DBackpropFilter',
      kernelFunc: ({ inputs, backend, attrs }) => {
        const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
        const a = attrs as Attrs;
        checkChannelsLast(a, 'Conv2DBackpropFilter');
        const info = tf.backend_util.computeConv2DInfo(x.shape as Conv4, a.filterShape as Conv4, a.strides as [number, number], 1, a.pad as 'same', a.dimRoundingMode as 'floor' | undefined);
        return heap.write(backend, info.filterShape, conv2dFilterGrad(heap.read(backend, x), heap.read(backend, dy), geometry(info)));
      },
    },
    {
      name: 'DepthwiseConv2dNativeBackpropFilter',
      kernelFunc: ({ inputs, backend, attrs }) => {
        const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
        const a = attrs as Attrs;
        const info = tf.backend_util.computeConv2DInfo(x.shape as Conv4, a.filterShape as Conv4, a.strides as [number, number], (a.dilations ?? 1) as number, a.pad as 'same', a.dimRoundingMode as 'floor' | undefined, true);
        const mult = (a.filterShape as Conv4)[3];
        return heap.write(backend, info.filterShape, depthwiseFilterGrad(heap.read(backend, x), heap.read(backend, dy), geometry(info), mult));
      },
    },
    {
      name: 'DepthwiseConv2dNativeBackpropInput',
      kernelFunc: ({ inputs, backend, attrs }) => {
        const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
        const a = attrs as Attrs;
        const inputShape = a.inputShape as Conv4;
        const info = tf.backend_util.computeConv2DInfo(inputShape, filter.shape as Conv4, a.strides as [number, number], (a.dilations ?? 1) as number, a.pad as 'same', a.dimRoundingMode as 'floor' | undefined, true);
        const mult = filter.shape[3];
        return heap.write(backend, inputShape, depthwiseInputGrad(heap.read(backend, dy), heap.read(backend, filter), geometry(info), mult));
      },
    },
  ];
}

const registered = new Set<string>();

/** Idempotent: replaces the backend's own kernel where it has one. */
export function registerConvGradKernels(backendName: 'cpu' | 'wasm'): void {
  if (registered.has(backendName)) return;
  const heap = backendName === 'cpu' ? cpuHeap : wasmHeap;
  for (const k of kernels(heap)) {
    if (tf.getKernel(k.name, backendName)) tf.unregisterKernel(k.name, backendName);
    tf.registerKernel({ kernelName: k.name, backendName, kernelFunc: k.kernelFunc });
  }
  registered.add(backendName);
}
