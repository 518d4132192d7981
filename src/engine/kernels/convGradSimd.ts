import type * as tf from '@tensorflow/tfjs';
import { workRange, KernelThreads, type KernelName, type SpawnKernelWorker } from './simd/kernelThreads';
import { instantiateSimdKernels, type SimdKernels } from './simd/simdKernels';

/**
 * Convolution gradients for the wasm backend on the project's own SIMD kernels (simd/kernels.as.ts),
 * run in place on the backend's memory: the inputs are read where tfjs keeps them and the result is
 * written into a tensor the backend allocated. On tfjs's threaded build they run on as many threads
 * as XNNPACK (simd/kernelThreads.ts). Each returns null where the kernels do not apply — dilation, a
 * depthwise channel multiplier other than 1, an engine without wasm SIMD, or SIMD turned off — and
 * the caller goes on to the composed XNNPACK kernels or the JavaScript loops.
 */

type Info = tf.TensorInfo;
/** The wasm backend as the kernels use it. */
export type Backend = {
  disposeData(id: unknown): void;
  typedArrayFromHeap(t: Info): Float32Array;
  makeOutput(shape: number[], dtype: string): Info;
  wasm: { wasmMemory?: WebAssembly.Memory; asm?: { memory?: WebAssembly.Memory } };
};

/** 'relaxed': fused multiply-add where the engine has relaxed SIMD, else plain; 'simd': plain; 'off': none. */
export type SimdChoice = 'relaxed' | 'simd' | 'off';

export type Started = SimdKernels & { threads: KernelThreads | null };
let choice: SimdChoice = 'relaxed';
let started = new WeakMap<object, Started | string>();
const pools = new Set<KernelThreads>();
let spawnWorker: SpawnKernelWorker | null = defaultSpawner();

/** A browser (or Web Worker) starts kernel workers from a Blob URL; Node's runner passes its own. */
function defaultSpawner(): SpawnKernelWorker | null {
  if (typeof Worker === 'undefined' || typeof Blob === 'undefined' || typeof URL?.createObjectURL !== 'function')
    return null;
  return (source) => new Worker(URL.createObjectURL(new Blob([source], { type: 'text/javascript' })));
}

/** Chooses the kernels for the next wasm backend (and this one, on its next call). */
export function useSimdKernels(next: SimdChoice): void {
  choice = next;
  started = new WeakMap();
  for (const p of pools) p.dispose();
  pools.clear();
}

/** How kernel threads are started where the default (a browser's Worker) does not exist: Node. */
export function setKernelWorkerSpawner(spawn: SpawnKernelWorker | null): void {
  spawnWorker = spawn;
}

/** The kernels on this backend, or why they do not run (the reason is kept: it is asked for once). */
export function simdKernels(backend: unknown): Started | string {
  if (choice === 'off') return 'turned off';
  const b = backend as Backend;
  let k = started.get(b);
  if (k === undefined) {
    // tfjs's threaded build hands its memory to the module; the single-threaded one exports it.
    const memory = b.wasm?.wasmMemory ?? b.wasm?.asm?.memory;
    const made = memory ? instantiateSimdKernels(memory, choice) : 'the wasm backend does not expose its memory';
    k = typeof made === 'string' ? made : { ...made, threads: null };
    started.set(b, k);
  }
  return k;
}

/**
 * Starts `threads − 1` kernel workers beside the calling thread, where the memory is shared and a
 * way to start workers exists; returns how many threads the kernels run on.
 */
export function startSimdThreads(backend: unknown, threads: number): number {
  const k = simdKernels(backend);
  if (typeof k === 'string') return 0;
  if (!k.threads && spawnWorker) {
    k.threads = KernelThreads.start(k.module, k.memory, threads, spawnWorker);
    if (k.threads) pools.add(k.threads);
  }
  return k.threads?.threads ?? 1;
}

/** 'relaxed' or 'simd' when the kernels run on this backend, else why not (for BackendReport.kernels). */
export function simdKernelsName(backend: unknown): string {
  const k = simdKernels(backend);
  return typeof k === 'string' ? `no SIMD kernels: ${k}` : k.simd;
}

function ready(backend: unknown, info: tf.backend_util.Conv2DInfo): Started | null {
  if (info.dilationHeight !== 1 || info.dilationWidth !== 1) return null;
  const k = simdKernels(backend);
  return typeof k === 'string' ? null : k;
}

/** A tensor's byte offset in the backend's memory: how the kernels take it. */
export const at = (b: Backend, t: Info) => b.typedArrayFromHeap(t).byteOffset;

// Below this many multiply-adds a call is not worth waking threads for (the SE blocks' 1×1 convolutions).
const THREADED_MACS = 1 << 18;

/** Whether a call of this size, over `units` of which it needs `minUnits`, is split over the kernel threads. */
export const threaded = (k: Started, units: number, minUnits: number, macs: number) =>
  Boolean(k.threads?.ready && macs >= THREADED_MACS && units >= minUnits);

/**
 * One call over `units` (channels, images): split over the threads, `align` units at a time, when there
 * are threads, the call is large enough and there are at least two shares' worth of units.
 */
export function split(k: Started, kernel: KernelName, args: number[], units: number, align: number, macs: number) {
  const fn = k[kernel];
  if (threaded(k, units, 2 * align, macs)) k.threads!.run(kernel, args, units, align, (lo, hi) => fn(...args, lo, hi));
  else fn(...args, 0, units);
}

/** A zeroed output: the kernels accumulate into it. */
function zeroed(b: Backend, shape: number[]): Info {
  const out = b.makeOutput(shape, 'float32');
  b.typedArrayFromHeap(out).fill(0);
  return out;
}

/** A convolution's geometry as the kernels take it: B, H, W, C, OH, OW, CO, KH, KW, SH, SW, PT, PL. */
function convGeometry(info: tf.backend_util.Conv2DInfo): number[] {
  return [
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
  ];
}

const convMacs = (info: tf.backend_util.Conv2DInfo) =>
  info.batchSize *
  info.outHeight *
  info.outWidth *
  info.outChannels *
  info.inChannels *
  info.filterHeight *
  info.filterWidth;

export function conv2dFilterGradSimd(
  backend: unknown,
  x: Info,
  dy: Info,
  info: tf.backend_util.Conv2DInfo,
): Info | null {
  const k = ready(backend, info);
  if (!k) return null;
  const b = backend as Backend;
  const { inChannels: C, outChannels: CO, filterHeight: KH, filterWidth: KW } = info;
  const pixels = info.batchSize * info.outHeight * info.outWidth;
  const macs = convMacs(info);
  // Pixels per packed block: its panels (x and dy, padded to whole tiles) near 128 KB, in L2. Below
  // 8 input channels the kernel packs x for all taps at once (im2col), as the kernel says.
  const K = C < 8 ? KH * KW * C : C;
  const width = 4 * Math.ceil(K / 4) + 8 * Math.ceil(CO / 8);
  const P = Math.max(64, Math.min(1024, Math.floor(32768 / width)));
  // Threads split the pixels by whole blocks, each summing into a dW of its own, added up here.
  const threads = threaded(k, pixels, 16, macs) ? k.threads!.threads : 1;
  const filterSize = KH * KW * C * CO;
  const perThread = filterSize + P * width;
  const scratch = b.makeOutput([threads * perThread], 'float32');
  const args = [at(b, x), at(b, dy), at(b, scratch), P, ...convGeometry(info)];
  if (threads > 1)
    k.threads!.run('convFilterGrad', args, pixels, P, (lo, hi) => k.convFilterGrad(...args, lo, hi), {
      arg: 2,
      bytesPerThread: 4 * perThread,
    });
  else k.convFilterGrad(...args, 0, pixels);
  const out = b.makeOutput(info.filterShape, 'float32');
  const dW = b.typedArrayFromHeap(out),
    parts = b.typedArrayFromHeap(scratch);
  dW.set(parts.subarray(0, filterSize));
  for (let t = 1; t < threads; t++) {
    // A thread whose share of the pixels is empty never ran: its part holds no sums.
    const [lo, hi] = workRange(pixels, threads, t, P);
    if (lo >= hi) continue;
    const base = t * perThread;
    for (let i = 0; i < filterSize; i++) dW[i] += parts[base + i];
  }
  b.disposeData(scratch.dataId);
  return out;
}

function depthwiseArgs(b: Backend, a: Info, c: Info, out: Info, info: tf.backend_util.Conv2DInfo): number[] {
  return [
    at(b, a),
    at(b, c),
    at(b, out),
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

const depthwiseMacs = (info: tf.backend_util.Conv2DInfo) =>
  info.batchSize * info.outHeight * info.outWidth * info.inChannels * info.filterHeight * info.filterWidth;

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
  const out = zeroed(b, info.filterShape);
  split(k, 'depthwiseFilterGrad', depthwiseArgs(b, x, dy, out, info), info.inChannels, 8, depthwiseMacs(info));
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
  const out = zeroed(b, [info.batchSize, info.inHeight, info.inWidth, info.inChannels]);
  // Threads take whole images of the batch: their writes never share a cache line.
  split(k, 'depthwiseInputGrad', depthwiseArgs(b, dy, filter, out, info), info.batchSize, 1, depthwiseMacs(info));
  return out;
}

/** Input gradient of a convolution: the filter transposed per tap ([KH, KW, CO, CI]), then the kernel. */
export function conv2dInputGradSimd(
  backend: unknown,
  dy: Info,
  filter: Info,
  info: tf.backend_util.Conv2DInfo,
): Info | null {
  const k = ready(backend, info);
  if (!k) return null;
  const b = backend as Backend;
  const { filterHeight: KH, filterWidth: KW, inChannels: CI, outChannels: CO } = info;
  const wt = b.makeOutput([KH, KW, CO, CI], 'float32');
  const w = b.typedArrayFromHeap(filter),
    t = b.typedArrayFromHeap(wt);
  for (let tap = 0; tap < KH * KW; tap++) {
    const base = tap * CI * CO;
    for (let ci = 0; ci < CI; ci++) for (let co = 0; co < CO; co++) t[base + co * CI + ci] = w[base + ci * CO + co];
  }
  const out = zeroed(b, [info.batchSize, info.inHeight, info.inWidth, CI]);
  // Threads take whole images of the batch: their writes never share a cache line.
  split(
    k,
    'convInputGrad',
    [at(b, dy), at(b, wt), at(b, out), ...convGeometry(info)],
    info.batchSize,
    1,
    convMacs(info),
  );
  b.disposeData(wt.dataId);
  return out;
}

/**
 * The forward convolution, for 8 input channels or more (below, XNNPACK's is as fast: an image's 3
 * channels leave the kernel's inner loop too short).
 */
export function conv2dSimd(backend: unknown, x: Info, filter: Info, info: tf.backend_util.Conv2DInfo): Info | null {
  const k = info.inChannels >= 8 ? ready(backend, info) : null;
  if (!k) return null;
  const b = backend as Backend;
  const out = b.makeOutput([info.batchSize, info.outHeight, info.outWidth, info.outChannels], 'float32');
  // Threads take whole images of the batch: their writes never share a cache line.
  split(
    k,
    'convForward',
    [at(b, x), at(b, filter), at(b, out), ...convGeometry(info)],
    info.batchSize,
    1,
    convMacs(info),
  );
  return out;
}
