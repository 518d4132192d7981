import * as tf from '@tensorflow/tfjs';

/**
 * Where a training step's time goes, kernel by kernel: every kernel registered for a synchronous
 * backend (wasm, cpu) is wrapped with a clock, and a kernel's time counts once, under the outermost
 * kernel running (the composed gradient kernels call other kernels; those are theirs). What no kernel
 * accounts for is the step's own JavaScript: the tape, the optimizer's bookkeeping, disposal.
 */

export interface KernelShare {
  kernel: string;
  ms: number;
  calls: number;
  share: number;
}

export interface StepProfile {
  workload: string;
  backend: string;
  msPerStep: number;
  kernels: KernelShare[];
  /** The step's time outside every kernel (JavaScript, tape, disposal), as a share. */
  outside: number;
}

export async function profileStep(workload: string, steps: number, step: () => Promise<unknown>): Promise<StepProfile> {
  const backendName = tf.getBackend();
  const totals = new Map<string, { ms: number; calls: number }>();
  let depth = 0;
  const originals = tf.getKernelsForBackend(backendName);
  for (const k of originals) {
    const own = k.kernelFunc;
    tf.unregisterKernel(k.kernelName, backendName);
    tf.registerKernel({
      ...k,
      kernelFunc: (args) => {
        if (depth > 0) return own(args);
        depth++;
        const t0 = performance.now();
        try {
          return own(args);
        } finally {
          depth--;
          const t = totals.get(k.kernelName) ?? { ms: 0, calls: 0 };
          t.ms += performance.now() - t0;
          t.calls++;
          totals.set(k.kernelName, t);
        }
      },
    });
  }
  try {
    await step(); // warm-up, not counted
    totals.clear();
    const t0 = performance.now();
    for (let i = 0; i < steps; i++) await step();
    const total = performance.now() - t0;
    const kernels = [...totals]
      .map(([kernel, t]) => ({ kernel, ms: t.ms / steps, calls: t.calls / steps, share: t.ms / total }))
      .sort((a, b) => b.ms - a.ms);
    const inKernels = kernels.reduce((s, k) => s + k.share, 0);
    return { workload, backend: backendName, msPerStep: total / steps, kernels, outside: 1 - inKernels };
  } finally {
    for (const k of originals) {
      tf.unregisterKernel(k.kernelName, backendName);
      tf.registerKernel(k);
    }
  }
}

/** The profile as markdown rows: the kernels above `minShare`, the rest summed. */
export function formatProfile(p: StepProfile, minShare = 0.02): string {
  const shown = p.kernels.filter((k) => k.share >= minShare);
  const rest = p.kernels.filter((k) => k.share < minShare).reduce((s, k) => s + k.share, 0);
  const rows = shown.map((k) => `| ${k.kernel} | ${k.calls} | ${k.ms.toFixed(1)} | ${(100 * k.share).toFixed(1)}% |`);
  rows.push(`| ${p.kernels.length - shown.length} other kernels | | | ${(100 * rest).toFixed(1)}% |`);
  rows.push(`| outside kernels (JS, tape) | | | ${(100 * p.outside).toFixed(1)}% |`);
  return [
    `${p.workload} on ${p.backend}: ${p.msPerStep.toFixed(0)} ms per step`,
    '',
    '| kernel | calls/step | ms/step | share |',
    '|---|---:|---:|---:|',
    ...rows,
  ].join('\n');
}
