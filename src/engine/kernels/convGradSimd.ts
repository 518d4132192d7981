import type * as tf from '@tensorflow/tfjs';
import { instantiateSimdKernels, type SimdKernels } from './simd/simdKernels';

/**
 * Convolution gradients for the wasm backend on the project's own SIMD kernels (simd/convGrad.as.ts),
 * run in place on the backend's memory: the inputs are read where tfjs keeps them and the result is
 * written into a tensor the backend allocated. Each returns null where the kernels do not apply —
 * dilation, a depthwise channel multiplier other than 1, an engine without wasm SIMD, or SIMD turned
 * off — and the caller goes on to the composed XNNPACK kernels or the JavaScript loops.
 */

type Info = tf.TensorInfo;
type Backend = {
  typedArrayFromHeap(t: Info): Float32Array;
  makeOutput(shape: number[], dtype: string): Info;
  wasm: { wasmMemory?: WebAssembly.Memory; asm?: { memory?: WebAssembly.Memory } };
};

/** 'relaxed': fused multiply-add where the engine has relaxed SIMD, else plain; 'simd': plain; 'off': none. */
export type SimdChoice = 'relaxed' | 'simd' | 'off';

let choice: SimdChoice = 'relaxed';
let started = new WeakMap<object, SimdKernels | string>();

/** Chooses the kernels for the next wasm backend (and this one, on its next call). */
export function useSimdKernels(next: SimdChoice): void {
  choice = next;
  started = new WeakMap();
}

/** The kernels on this backend, or why they do not run (the reason is kept: it is asked for once). */
export function simdKernels(backend: unknown): SimdKernels | string {
  if (choice === 'off') return 'turned off';
  const b = backend as Backend;
  let k = started.get(b);
  if (k === undefined) {
    // tfjs's threaded build hands its memory to the module; the single-threaded one exports it.
    const memory = b.wasm?.wasmMemory ?? b.wasm?.asm?.memory;
    k = memory ? instantiateSimdKernels(memory, choice) : 'the wasm backend does not expose its memory';
    started.set(b, k);
  }
  return k;
}

/** 'relaxed' or 'simd' when the kernels run on this backend, else why not (for BackendReport.kernels). */
export function simdKernelsName(backend: unknown): string {
  const k = simdKernels(backend);
  return typeof k === 'string' ? `no SIMD kernels: ${k}` : k.simd;
}

function ready(backend: unknown, info: tf.backend_util.Conv2DInfo): SimdKernels | null {
  if (info.dilationHeight !== 1 || info.dilationWidth !== 1) return null;
  const k = simdKernels(backend);
  return typeof k === 'string' ? null : k;
}

const at = (b: Backend, t: Info) => b.typedArrayFromHeap(t).byteOffset;

export function conv2dFilterGradSimd(
  backend: unknown,
  x: Info,
  dy: Info,
  info: tf.backend_util.Conv2DInfo,
): Info | null {
  const k = ready(backend, info);
  if (!k) return null;
  const b = backend as Backend;
  const out = b.makeOutput(info.filterShape, 'float32');
  k.convFilterGrad(
    at(b, x),
    at(b, dy),
    at(b, out),
    info.batchSize,
    info.inHeight,
    info.inWidth,
    info.inChannels,
    info.outHeight,
    info.outWidth,
    info.outChannels,
    info.filterHeight,
    info.filterWidth,
    info.strideHeight,
    info.strideWidth,
    info.padInfo.top,
    info.padInfo.left,
  );
  return out;
}

function depthwiseGeometry(info: tf.backend_util.Conv2DInfo): number[] {
  return [
    info.batchSize,
    info.inHeight,
    info.inWidth,
    info.inChannels,
    info.outHeight,
    info.outWidth,
    info.filterHeight,
    info.filterWidth,
    info.strideHeight,
    info.strideWidth,
    info.padInfo.top,
    info.padInfo.left,
  ];
}

export function depthwiseFilterGradSimd(
  backend: unknown,
  x: Info,
  dy: Info,
  info: tf.backend_util.Conv2DInfo,
  multiplier: number,
): Info | null {
  const k = multiplier === 1 ? ready(backend, info) : null;
  if (!k) return null;
  const b = backend as Backend;
  const out = b.makeOutput(info.filterShape, 'float32');
  const [B, H, W, C, OH, OW, ...rest] = depthwiseGeometry(info);
  k.depthwiseFilterGrad(at(b, x), at(b, dy), at(b, out), B, H, W, C, OH, OW, ...rest);
  return out;
}

export function depthwiseInputGradSimd(
  backend: unknown,
  dy: Info,
  filter: Info,
  info: tf.backend_util.Conv2DInfo,
): Info | null {
  const k = filter.shape[3] === 1 ? ready(backend, info) : null;
  if (!k) return null;
  const b = backend as Backend;
  const out = b.makeOutput([info.batchSize, info.inHeight, info.inWidth, info.inChannels], 'float32');
  const [B, H, W, C, OH, OW, ...rest] = depthwiseGeometry(info);
  k.depthwiseInputGrad(at(b, dy), at(b, filter), at(b, out), B, H, W, C, OH, OW, ...rest);
  return out;
}
