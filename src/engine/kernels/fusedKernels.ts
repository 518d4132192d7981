import * as tf from '@tensorflow/tfjs';
import { at, simdKernels, split, threaded, type Backend, type Started } from './convGradSimd';
import { registerFusedGradients } from './fusedGradients';
import { replaceKernel } from './replaceKernel';
import { workRange, type KernelName } from './simd/kernelThreads';

/**
 * The fused element-wise kernels of an EfficientNet training step on the wasm backend, as tfjs kernels
 * of their own (fusedOps.ts calls them where they run, and tfjs's ops everywhere else):
 *   LabSwish, LabSwishGrad                 x·σ(x), one pass each way (tfjs: 3 ops forward, 7 back)
 *   LabBatchNormTrain, LabBatchNormTrainGrad  batch statistics + normalise + scale/shift, and the
 *                                          three gradients in two passes (tfjs: moments + FusedBatchNorm
 *                                          and their gradients, a dozen ops)
 *   LabChannelScale, LabChannelScaleGrad   squeeze-and-excitation's x·s[b, c], both gradients in one pass
 *   LabAdam                                one Adam step of a variable (fusedAdam.ts)
 * and, in place of tfjs-wasm's scalar FusedBatchNorm, batch norm with given statistics (inference).
 * Each runs the SIMD kernels (simd/*.as.ts) in place on the backend's memory, on the kernel threads
 * where the call is large enough. Their gradients are registered here too.
 */

type Info = tf.TensorInfo;
type Kernel = (args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs: tf.NamedAttrMap }) => Info | Info[];

let fused = true;
/** Turns the fused ops on or off (on by default; off is the engine as it was before them). */
export function useFusedOps(on: boolean): void {
  fused = on;
}

/** Whether the fused ops are on, asked for by name (the CLI's `--kernels relaxed+fused`). */
export function fusedOpsChosen(): boolean {
  return fused;
}

/** Whether the fused kernels run on the current backend: wasm, its SIMD kernels started, and fused ops on. */
export function fusedOpsActive(): boolean {
  if (!fused || !registered || tf.getBackend() !== 'wasm') return false;
  return typeof simdKernels(tf.backend()) !== 'string';
}

// Below this much work a call runs on the calling thread alone (waking the kernel threads costs more).
const SWISH_WORK = 16,
  PASS_WORK = 4;

function started(backend: unknown): Started {
  const k = simdKernels(backend);
  if (typeof k === 'string') throw new Error(`fused kernels called without the SIMD kernels: ${k}`);
  return k;
}

/** A [n] float32 tensor in the backend's memory holding `values` (the kernels' per-channel coefficients). */
function heapVector(b: Backend, values: ArrayLike<number>): Info {
  const t = b.makeOutput([values.length], 'float32');
  b.typedArrayFromHeap(t).set(values);
  return t;
}

/**
 * Runs a per-channel sum over rows [0, rows) — the thread i's share into its own part of a scratch
 * area (argument `partsArg`) — and adds the parts up (float64): the first 2C totals.
 */
function channelTotals(
  k: Started,
  b: Backend,
  kernel: KernelName,
  args: (parts: number) => number[],
  partsArg: number,
  rows: number,
  C: number,
): Float64Array {
  const threads = threaded(k, rows, 32, PASS_WORK * rows * C) ? k.threads!.threads : 1;
  const perThread = 4 * C;
  const scratch = b.makeOutput([threads * perThread], 'float32');
  const a = args(at(b, scratch));
  if (threads > 1)
    k.threads!.run(kernel, a, rows, 16, (lo, hi) => k[kernel](...a, lo, hi), {
      arg: partsArg,
      bytesPerThread: 4 * perThread,
    });
  else k[kernel](...a, 0, rows);
  const parts = b.typedArrayFromHeap(scratch);
  const totals = new Float64Array(2 * C);
  for (let t = 0; t < threads; t++) {
    const [lo, hi] = workRange(rows, threads, t, 16);
    if (lo >= hi) continue;
    for (let i = 0; i < 2 * C; i++) totals[i] += parts[t * perThread + i];
  }
  b.disposeData(scratch.dataId);
  return totals;
}

const swish: Kernel = ({ inputs, backend }) => {
  const { x } = inputs as { x: Info };
  const b = backend as Backend,
    k = started(backend);
  const out = b.makeOutput(x.shape, 'float32');
  const n = tf.util.sizeFromShape(x.shape);
  split(k, 'swishForward', [at(b, x), at(b, out)], n, 16, SWISH_WORK * n);
  return out;
};

const swishGrad: Kernel = ({ inputs, backend }) => {
  const { x, dy } = inputs as { x: Info; dy: Info };
  const b = backend as Backend,
    k = started(backend);
  const out = b.makeOutput(x.shape, 'float32');
  const n = tf.util.sizeFromShape(x.shape);
  split(k, 'swishBackward', [at(b, x), at(b, dy), at(b, out)], n, 16, SWISH_WORK * n);
  return out;
};

/** Rows and channels of an activation normalised over every axis but the last. */
function rowsOf(x: Info): [number, number] {
  const C = x.shape[x.shape.length - 1];
  return [tf.util.sizeFromShape(x.shape) / C, C];
}

/**
 * Training batch norm: mean and (biased) variance over every axis but the last — the mean, then the
 * squares about it with the corrected two-pass formula var = Σd²/N − (Σd/N)² — then
 * y = (x − mean)·scale/√(var + ε) + offset. Outputs [y, mean, variance], as tf.moments and tf.batchNorm give.
 */
const batchNormTrain: Kernel = ({ inputs, backend, attrs }) => {
  const { x, scale, offset } = inputs as { x: Info; scale: Info; offset: Info };
  const eps = (attrs as { varianceEpsilon: number }).varianceEpsilon;
  const b = backend as Backend,
    k = started(backend);
  const [rows, C] = rowsOf(x);
  const zeros = heapVector(b, new Float32Array(C));
  const sums = channelTotals(k, b, 'channelMoments', (p) => [at(b, x), at(b, zeros), p, rows, C], 2, rows, C);
  b.disposeData(zeros.dataId);
  const mean = heapVector(
    b,
    Array.from({ length: C }, (_, c) => sums[c] / rows),
  );
  const centred = channelTotals(k, b, 'channelMoments', (p) => [at(b, x), at(b, mean), p, rows, C], 2, rows, C);
  const variance = heapVector(
    b,
    Array.from({ length: C }, (_, c) => Math.max(0, centred[C + c] / rows - (centred[c] / rows) ** 2)),
  );
  const g = b.typedArrayFromHeap(scale),
    v = b.typedArrayFromHeap(variance);
  const a = heapVector(
    b,
    Array.from({ length: C }, (_, c) => g[c] / Math.sqrt(v[c] + eps)),
  );
  const y = b.makeOutput(x.shape, 'float32');
  split(
    k,
    'channelAffine',
    [at(b, x), at(b, mean), at(b, a), at(b, offset), at(b, y), rows, C],
    rows,
    16,
    PASS_WORK * rows * C,
  );
  b.disposeData(a.dataId);
  return [y, mean, variance];
};

/**
 * Its gradient, the sums S1 = Σ dy and S2 = Σ dy·(x − mean) in one pass, then, with k = scale/√(var + ε):
 *   ∂scale = S2/√(var + ε)   ∂offset = S1
 *   ∂x = k·dy − k·S1/N − k·S2·(x − mean)/(N·(var + ε)) + ∂mean/N + 2·∂var·(x − mean)/N
 * (the last two carry the gradients that reach the mean and variance outputs themselves).
 */
const batchNormTrainGrad: Kernel = ({ inputs, backend, attrs }) => {
  const { dy, x, mean, variance, scale, dmean, dvariance } = inputs as Record<string, Info>;
  const eps = (attrs as { varianceEpsilon: number }).varianceEpsilon;
  const b = backend as Backend,
    k = started(backend);
  const [rows, C] = rowsOf(x);
  const sums = channelTotals(
    k,
    b,
    'batchNormGradSums',
    (p) => [at(b, dy), at(b, x), at(b, mean), p, rows, C],
    3,
    rows,
    C,
  );
  const kc = new Float64Array(C),
    q = new Float64Array(C),
    d = new Float64Array(C);
  const dScale = b.makeOutput([C], 'float32'),
    dOffset = b.makeOutput([C], 'float32');
  // Views of the heap only after the last allocation before their use: an allocation may grow the
  // memory, and a view of the old buffer then reads nothing.
  const g = b.typedArrayFromHeap(scale),
    v = b.typedArrayFromHeap(variance);
  const dm = b.typedArrayFromHeap(dmean),
    dv = b.typedArrayFromHeap(dvariance);
  const ds = b.typedArrayFromHeap(dScale),
    dOff = b.typedArrayFromHeap(dOffset);
  for (let c = 0; c < C; c++) {
    const inv = 1 / Math.sqrt(v[c] + eps);
    const s1 = sums[c],
      s2 = sums[C + c];
    kc[c] = g[c] * inv;
    q[c] = (-kc[c] * inv * inv * s2) / rows + (2 * dv[c]) / rows;
    d[c] = (-kc[c] * s1) / rows + dm[c] / rows;
    ds[c] = s2 * inv;
    dOff[c] = s1;
  }
  const kt = heapVector(b, kc),
    qt = heapVector(b, q),
    dt = heapVector(b, d);
  const dx = b.makeOutput(x.shape, 'float32');
  split(
    k,
    'batchNormGradInput',
    [at(b, dy), at(b, x), at(b, mean), at(b, kt), at(b, qt), at(b, dt), at(b, dx), rows, C],
    rows,
    16,
    PASS_WORK * rows * C,
  );
  for (const t of [kt, qt, dt]) b.disposeData(t.dataId);
  return [dx, dScale, dOffset];
};

/** x [B, …, C] and s [B, 1, …, 1, C] (or [B, C]): the images, their pixels and channels. */
export function channelScaleShape(x: readonly number[], s: readonly number[]): [number, number, number] | null {
  const C = x[x.length - 1],
    B = x[0];
  if (x.length < 3 || s[0] !== B || s[s.length - 1] !== C) return null;
  if (s.length !== 2 && (s.length !== x.length || s.slice(1, -1).some((d) => d !== 1))) return null;
  return [B, tf.util.sizeFromShape(x.slice(1, -1) as number[]), C];
}

const channelScale: Kernel = ({ inputs, backend }) => {
  const { x, s } = inputs as { x: Info; s: Info };
  const b = backend as Backend,
    k = started(backend);
  const [B, P, C] = channelScaleShape(x.shape, s.shape)!;
  const y = b.makeOutput(x.shape, 'float32');
  split(k, 'channelScale', [at(b, x), at(b, s), at(b, y), P, C], B, 1, PASS_WORK * B * P * C);
  return y;
};

const channelScaleGrad: Kernel = ({ inputs, backend }) => {
  const { dy, x, s } = inputs as { dy: Info; x: Info; s: Info };
  const b = backend as Backend,
    k = started(backend);
  const [B, P, C] = channelScaleShape(x.shape, s.shape)!;
  const dx = b.makeOutput(x.shape, 'float32'),
    ds = b.makeOutput(s.shape, 'float32');
  split(
    k,
    'channelScaleGrad',
    [at(b, dy), at(b, x), at(b, s), at(b, dx), at(b, ds), P, C],
    B,
    1,
    PASS_WORK * B * P * C,
  );
  return [dx, ds];
};

/** One Adam step of a variable (fusedAdam.ts): [w', m', v'] from w, m, v and the gradient g. */
const adam: Kernel = ({ inputs, backend, attrs }) => {
  const { w, m, v, g } = inputs as Record<string, Info>;
  const a = attrs as unknown as {
    beta1: number;
    beta2: number;
    c1: number;
    c2: number;
    epsilon: number;
    learningRate: number;
  };
  const b = backend as Backend,
    k = started(backend);
  const out = [0, 1, 2].map(() => b.makeOutput(w.shape, 'float32'));
  // The scalars as tfjs forms them (1 − β and −lr in float64, then rounded to float32 as the call rounds them).
  k.adamUpdate(
    ...[w, m, v, g, ...out].map((t) => at(b, t)),
    a.beta1,
    1 - a.beta1,
    a.beta2,
    1 - a.beta2,
    a.c1,
    a.c2,
    a.epsilon,
    -a.learningRate,
    0,
    tf.util.sizeFromShape(w.shape),
  );
  return out;
};

const KERNELS: Record<string, Kernel> = {
  LabAdam: adam,
  LabSwish: swish,
  LabSwishGrad: swishGrad,
  LabBatchNormTrain: batchNormTrain,
  LabBatchNormTrainGrad: batchNormTrainGrad,
  LabChannelScale: channelScale,
  LabChannelScaleGrad: channelScaleGrad,
};

/**
 * Batch norm with given statistics — how a model in inference mode runs it (the teacher's forward pass
 * in every distillation step): y = (x − mean)·scale/√(var + ε) + offset, one SIMD pass. tfjs-wasm's own
 * is a scalar loop, a quarter of a lab distillation step. Statistics of one value per channel only;
 * anything else goes on to tfjs's kernel.
 */
function inferenceBatchNorm(own: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { x, mean, variance, offset, scale } = args.inputs as Record<string, Info | undefined>;
    const C = x!.shape[x!.shape.length - 1];
    const perChannel = (t: Info | undefined) => !t || (t.dtype === 'float32' && tf.util.sizeFromShape(t.shape) === C);
    if (
      !fusedOpsActive() ||
      x!.dtype !== 'float32' ||
      x!.shape.length < 2 ||
      ![mean, variance, offset, scale].every(perChannel)
    )
      return own(args);
    fusedKernelCalls.FusedBatchNorm = (fusedKernelCalls.FusedBatchNorm ?? 0) + 1;
    const eps = (args.attrs as { varianceEpsilon: number }).varianceEpsilon;
    const b = args.backend as unknown as Backend,
      k = started(b);
    const [rows] = rowsOf(x!);
    const a = new Float64Array(C),
      shift = new Float64Array(C);
    {
      const v = b.typedArrayFromHeap(variance!),
        g = scale ? b.typedArrayFromHeap(scale) : null,
        o = offset ? b.typedArrayFromHeap(offset) : null;
      for (let c = 0; c < C; c++) {
        a[c] = (g ? g[c] : 1) / Math.sqrt(v[c] + eps);
        shift[c] = o ? o[c] : 0;
      }
    }
    const coef = heapVector(b, a),
      bt = heapVector(b, shift);
    const y = b.makeOutput(x!.shape, 'float32');
    split(
      k,
      'channelAffine',
      [at(b, x!), at(b, mean!), at(b, coef), at(b, bt), at(b, y), rows, C],
      rows,
      16,
      PASS_WORK * rows * C,
    );
    b.disposeData(coef.dataId);
    b.disposeData(bt.dataId);
    return y;
  };
}

let registered = false;
/** How often each fused kernel ran: tests read it. */
export const fusedKernelCalls: Record<string, number> = {};

/** Registers the fused kernels on wasm and their gradients. Idempotent; call before the wasm backend starts. */
export function registerFusedKernels(): void {
  if (registered) return;
  for (const [kernelName, kernelFunc] of Object.entries(KERNELS))
    tf.registerKernel({
      kernelName,
      backendName: 'wasm',
      kernelFunc: ((args: Parameters<Kernel>[0]) => {
        fusedKernelCalls[kernelName] = (fusedKernelCalls[kernelName] ?? 0) + 1;
        return kernelFunc(args);
      }) as unknown as tf.KernelFunc,
    });
  registerFusedGradients();
  replaceKernel('FusedBatchNorm', 'wasm', inferenceBatchNorm);
  registered = true;
}
