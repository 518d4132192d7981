/**
 * Runs one SIMD kernel call on several threads, as tfjs's threaded wasm build runs XNNPACK: the
 * calling thread and `threads − 1` workers each instantiate the kernels on the backend's shared
 * memory and take a contiguous range of the call's units (channels, pixels or images, as the caller
 * splits it). Calls are synchronous (a tfjs kernel must return its output), so the caller waits with
 * Atomics.wait — allowed in a Web Worker (where the lab's engine runs) and in Node, not on a page's
 * main thread (no threads there).
 *
 * Control block (Int32, shared): [0] generation, bumped to start a call; [1] workers still running;
 * [2] kernel (−1: stop); [3] workers ready; [4] argument count; [5] threads; [6] alignment;
 * [7] units; [8] the argument that is a scratch area (−1: none) and [9] its bytes per thread, so
 * that thread i works in its own; [10] set when a worker's share failed; [11…] the kernel's
 * arguments (byte offsets wrap to i32 as wasm reads them).
 */

export interface KernelWorker {
  postMessage(message: unknown): void;
  terminate(): unknown;
}
/** Starts a worker from standalone JavaScript source (Blob URL in a browser, eval in Node). */
export type SpawnKernelWorker = (source: string) => KernelWorker;

export const KERNEL_IDS = {
  convFilterGrad: 0,
  depthwiseFilterGrad: 1,
  depthwiseInputGrad: 2,
  convInputGrad: 3,
  convForward: 4,
  swishForward: 5,
  swishBackward: 6,
  channelMoments: 7,
  channelAffine: 8,
  batchNormGradSums: 9,
  batchNormGradInput: 10,
  channelScale: 11,
  channelScaleGrad: 12,
} as const;
export type KernelName = keyof typeof KERNEL_IDS;

const FAILED = 10;
const ARGS = 11;
const MAX_ARGS = 24;

/** The share [lo, hi) of `units` that thread `index` of `threads` takes, in whole multiples of `align`. */
export function workRange(units: number, threads: number, index: number, align: number): [number, number] {
  const per = Math.ceil(units / threads / align) * align;
  const lo = Math.min(units, index * per);
  return [lo, Math.min(units, lo + per)];
}

// Standalone: it runs as a worker's whole script, in a browser or in Node (worker_threads, eval).
const WORKER_SOURCE = `
'use strict';
const workRange = ${workRange.toString()};
function start(d) {
  const e = new WebAssembly.Instance(d.module, { env: { memory: d.memory } }).exports;
  const kernels = ${JSON.stringify(Object.keys(KERNEL_IDS))}.map((name) => e[name]);
  const c = new Int32Array(d.control);
  let generation = Atomics.load(c, 0);
  Atomics.add(c, 3, 1);
  for (;;) {
    Atomics.wait(c, 0, generation);
    generation = Atomics.load(c, 0);
    const id = c[2];
    if (id < 0) return;
    const [lo, hi] = workRange(c[7], c[5], d.index, c[6]);
    const args = Array.from(c.subarray(${ARGS}, ${ARGS} + c[4]));
    if (c[8] >= 0) args[c[8]] = (args[c[8]] + d.index * c[9]) | 0;
    // A trap must not leave the caller waiting: the share is counted done, and the failure said.
    try {
      if (lo < hi) kernels[id](...args, lo, hi);
    } catch {
      Atomics.store(c, ${FAILED}, 1);
    }
    if (Atomics.sub(c, 1, 1) === 1) Atomics.notify(c, 1);
  }
}
if (typeof require === 'function') require('node:worker_threads').parentPort.once('message', start);
else self.onmessage = (e) => start(e.data);
`;

/** Whether this thread may block on Atomics.wait (a page's main thread may not). */
function canWait(): boolean {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
}

export class KernelThreads {
  private readonly control = new Int32Array(new SharedArrayBuffer(4 * (ARGS + MAX_ARGS)));
  private readonly workers: KernelWorker[] = [];
  /** Calls split over the threads so far (tests and the bench read it). */
  calls = 0;

  /** Null where threads cannot run: one thread asked for, no shared memory, or no waiting allowed here. */
  static start(
    module: WebAssembly.Module,
    memory: WebAssembly.Memory,
    threads: number,
    spawn: SpawnKernelWorker,
  ): KernelThreads | null {
    if (threads < 2 || !(memory.buffer instanceof SharedArrayBuffer) || !canWait()) return null;
    return new KernelThreads(module, memory, threads, spawn);
  }

  private constructor(
    module: WebAssembly.Module,
    memory: WebAssembly.Memory,
    readonly threads: number,
    spawn: SpawnKernelWorker,
  ) {
    for (let index = 1; index < threads; index++) {
      const w = spawn(WORKER_SOURCE);
      w.postMessage({ module, memory, control: this.control.buffer, index });
      this.workers.push(w);
    }
  }

  /** True once every worker has started (until then calls run on the calling thread alone). */
  get ready(): boolean {
    return Atomics.load(this.control, 3) === this.workers.length;
  }

  /**
   * Runs `own` (the calling thread's share, units [lo, hi)) and the workers' shares of one call;
   * returns when all are done, and throws when any share failed. With `scratch`, worker i adds
   * i · bytesPerThread to that argument.
   */
  run(
    kernel: KernelName,
    args: number[],
    units: number,
    align: number,
    own: (lo: number, hi: number) => void,
    scratch?: { arg: number; bytesPerThread: number },
  ) {
    const c = this.control;
    this.calls++;
    c[8] = scratch ? scratch.arg : -1;
    c[9] = scratch ? scratch.bytesPerThread : 0;
    c[2] = KERNEL_IDS[kernel];
    c[4] = args.length;
    c[5] = this.threads;
    c[6] = align;
    c[7] = units;
    c[FAILED] = 0;
    c.set(args, ARGS);
    Atomics.store(c, 1, this.workers.length);
    Atomics.add(c, 0, 1);
    Atomics.notify(c, 0);
    const [lo, hi] = workRange(units, this.threads, 0, align);
    try {
      if (lo < hi) own(lo, hi);
    } finally {
      // Even when this thread's share threw: the next call must not start while workers still write.
      for (let left = Atomics.load(c, 1); left !== 0; left = Atomics.load(c, 1)) Atomics.wait(c, 1, left);
    }
    if (Atomics.load(c, FAILED)) throw new Error(`a SIMD kernel thread failed in ${kernel}`);
  }

  dispose(): void {
    this.control[2] = -1;
    Atomics.add(this.control, 0, 1);
    Atomics.notify(this.control, 0);
    for (const w of this.workers) void w.terminate();
    this.workers.length = 0;
  }
}
