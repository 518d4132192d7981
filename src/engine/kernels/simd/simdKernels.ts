import { KERNEL_IDS, type KernelName } from './kernelThreads';
import { SIMD_KERNELS_WASM } from './kernelsWasm.generated';

/**
 * The AssemblyScript SIMD kernels (kernels.as.ts: the convolutions and the fused element-wise ops), instantiated on the tfjs wasm backend's own
 * memory. Which build: relaxed SIMD (fused multiply-add) where the engine accepts it — Chrome ≥ 114,
 * Node ≥ 22 — else plain 128-bit SIMD; shared memory when tfjs runs its threaded build.
 */

/** Byte offsets into the backend's memory, then the geometry, then the range of channels to compute. */
type Grad = (...args: number[]) => void;

export interface SimdKernels {
  /** (x, dy, scratch, P, B, H, W, C, OH, OW, CO, KH, KW, SH, SW, PT, PL, q0, q1): dW over pixels [q0, q1) at the scratch's start */
  convFilterGrad: Grad;
  /** (x, dy, dW, B, H, W, C, OH, OW, KH, KW, SH, SW, PT, PL, c0, c1), into a zeroed dW */
  depthwiseFilterGrad: Grad;
  /** (dy, W, dx, B, H, W, C, OH, OW, KH, KW, SH, SW, PT, PL, b0, b1): images [b0, b1) into a zeroed dx */
  depthwiseInputGrad: Grad;
  /** (dy, Wt, dx, B, H, W, C, OH, OW, CO, KH, KW, SH, SW, PT, PL, b0, b1), Wt = W as [KH, KW, CO, C], images [b0, b1) into a zeroed dx */
  convInputGrad: Grad;
  /** (x, W, y, B, H, W, C, OH, OW, CO, KH, KW, SH, SW, PT, PL, b0, b1): images [b0, b1) of y */
  convForward: Grad;
  /** (x, y, i0, i1): y = x·σ(x), elements [i0, i1) */
  swishForward: Grad;
  /** (x, dy, dx, i0, i1): dx = dy·σ(x)·(1 + x·σ(−x)), elements [i0, i1) */
  swishBackward: Grad;
  /** (x, m, parts, rows, C, r0, r1): Σ (x − m) and Σ (x − m)² per channel into parts[0, 2C), rows [r0, r1); parts holds 4C floats */
  channelMoments: Grad;
  /** (x, m, a, b, y, rows, C, r0, r1): y = (x − m)·a + b per channel, rows [r0, r1) */
  channelAffine: Grad;
  /** (dy, x, m, parts, rows, C, r0, r1): Σ dy and Σ dy·(x − m) per channel into parts[0, 2C), rows [r0, r1) */
  batchNormGradSums: Grad;
  /** (dy, x, m, k, q, d, dx, rows, C, r0, r1): dx = k·dy + q·(x − m) + d per channel, rows [r0, r1) */
  batchNormGradInput: Grad;
  /** (x, s, y, P, C, b0, b1): y[b, p, c] = x[b, p, c]·s[b, c], images [b0, b1) */
  channelScale: Grad;
  /** (dy, x, s, dx, ds, P, C, b0, b1): dx = dy·s, ds = Σ_p dy·x, images [b0, b1) */
  channelScaleGrad: Grad;
  /** (w, m, v, g, w', m', v', β1, 1 − β1, β2, 1 − β2, 1 − β1^t, 1 − β2^t, ε, −lr, i0, i1): tfjs's Adam step, elements [i0, i1) */
  adamUpdate: Grad;
  /** Which build runs: 'relaxed' (fused multiply-add) or 'simd' (multiply, then add). */
  simd: 'relaxed' | 'simd';
  shared: boolean;
  /** The compiled module and the memory it runs on, for kernel threads to instantiate their own. */
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
}

const decoded = new Map<string, Uint8Array<ArrayBuffer>>();
function bytes(name: keyof typeof SIMD_KERNELS_WASM): Uint8Array<ArrayBuffer> {
  let b = decoded.get(name);
  if (!b) {
    b = Uint8Array.from(atob(SIMD_KERNELS_WASM[name]), (c) => c.charCodeAt(0));
    decoded.set(name, b);
  }
  return b;
}

let relaxedOk: boolean | undefined;
/** Whether this engine validates the relaxed-SIMD build (Node 20 needs --experimental-wasm-relaxed-simd). */
export function relaxedSimdSupported(): boolean {
  relaxedOk ??= typeof WebAssembly !== 'undefined' && WebAssembly.validate(bytes('relaxed'));
  return relaxedOk;
}

/**
 * The kernels on `memory`, or the reason they cannot run there (no SIMD in this engine, a memory
 * the build cannot import). `prefer: 'simd'` asks for the plain build even where relaxed runs.
 */
export function instantiateSimdKernels(
  memory: WebAssembly.Memory,
  prefer: 'relaxed' | 'simd' = 'relaxed',
): SimdKernels | string {
  const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
  const simd = prefer === 'relaxed' && relaxedSimdSupported() ? 'relaxed' : 'simd';
  const name = `${simd}${shared ? 'Shared' : ''}` as keyof typeof SIMD_KERNELS_WASM;
  try {
    if (!WebAssembly.validate(bytes(name))) return `this engine has no 128-bit wasm SIMD`;
    const module = new WebAssembly.Module(bytes(name));
    const instance = new WebAssembly.Instance(module, { env: { memory } });
    const e = instance.exports as unknown as Record<KernelName | 'adamUpdate', Grad>;
    const kernels = Object.fromEntries(
      [...Object.keys(KERNEL_IDS), 'adamUpdate'].map((name) => [name, e[name as KernelName]]),
    ) as Record<KernelName | 'adamUpdate', Grad>;
    return {
      ...kernels,
      simd,
      shared,
      module,
      memory,
    };
  } catch (err) {
    return `the SIMD kernels could not start on the backend's memory: ${(err as Error).message}`;
  }
}
