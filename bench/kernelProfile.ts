import * as tf from '@tensorflow/tfjs';
import type { KernelRate } from './kernelRates';
import { readFileSync } from 'node:fs';

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

/** One bench/kernelShares.ts process: a kernel choice at a thread count, its workloads' profiles. */
export interface KernelShareRun {
  simd: 'off' | 'simd' | 'relaxed' | 'simd+fused' | 'relaxed+fused';
  threads: number;
  /** What the backend reported: the build that ran, and on how many threads. */
  kernels?: string;
  kernelThreads?: number;
  rows: (StepProfile & { imagesPerSecond: number })[];
  /** One thread: GFLOP/s of each convolution gradient alone on the reference layers. */
  rates?: KernelRate[];
}

const pct = (v: number) => `${(100 * v).toFixed(1)}%`;

/** The CPU's clock from /proc/cpuinfo (Node's os.cpus() reads 0 on some virtual machines), else 2600. */
function cpuMhz(): number {
  try {
    const m = /cpu MHz\s*:\s*([\d.]+)/.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) return Math.round(Number(m[1]));
  } catch {
    // not Linux: the nominal figure below
  }
  return 2600;
}

/** Two 4-lane multiply-adds (8 FLOP each) per cycle: the 128-bit ceiling per core. */
const ceilingGflops = () => (cpuMhz() * 1e6 * 2 * 4 * 2) / 1e9;

/**
 * Images/s per workload and kernel choice (with the ratio to --kernels off at the same threads), then
 * per workload at one thread each kernel's ms and share of a step, before and after.
 */
export function formatKernelShares(runs: KernelShareRun[], minShare = 0.02): string {
  const lines = [
    'Kernel shares (Node, wasm): `off` is the engine before its own kernels (XNNPACK compositions and JavaScript loops); `simd` and `relaxed` are its SIMD kernels without and with fused multiply-add; `+fused` adds the fused element-wise ops (swish, batch norm, SE scaling, Adam).',
    '',
    '| workload | threads | kernels | images/s | × of off | × of the build without +fused |',
    '|---|---|---|---:|---:|---:|',
  ];
  for (const run of runs)
    for (const r of run.rows) {
      const off = runs
        .find((o) => o.simd === 'off' && o.threads === run.threads)
        ?.rows.find((o) => o.workload === r.workload);
      const unfused = run.simd.endsWith('+fused')
        ? runs
            .find((o) => o.simd === run.simd.replace('+fused', '') && o.threads === run.threads)
            ?.rows.find((o) => o.workload === r.workload)
        : undefined;
      const on = run.kernelThreads && run.kernelThreads > 1 ? ` on ${run.kernelThreads} threads` : '';
      lines.push(
        `| ${r.workload} | ${run.threads} | ${run.simd === 'off' ? 'off' : `${run.kernels ?? run.simd}${on}`} | ${r.imagesPerSecond.toFixed(1)} | ${off ? (r.imagesPerSecond / off.imagesPerSecond).toFixed(2) : '—'} | ${unfused ? (r.imagesPerSecond / unfused.imagesPerSecond).toFixed(2) : '—'} |`,
      );
    }
  const single = runs.filter((r) => r.threads === 1);
  const rated = single.filter((r) => r.rates?.length);
  if (rated.length) {
    lines.push(
      '',
      `The kernels alone (one thread, best of 5 calls), GFLOP/s; in brackets the share of ${ceilingGflops().toFixed(1)} GFLOP/s, two 128-bit multiply-adds per cycle at the CPU's clock (${cpuMhz()} MHz) — what wasm SIMD can reach; AVX-512 with FMA doubles it again:`,
      '',
      `| kernel | layer | ${rated.map((r) => r.simd).join(' | ')} |`,
      `|---|---|${rated.map(() => '---:').join('|')}|`,
    );
    rated[0].rates!.forEach((rate, i) =>
      lines.push(
        `| ${rate.kernel} | ${rate.geometry} | ${rated.map((r) => `${r.rates![i].gflops.toFixed(1)} (${pct(r.rates![i].gflops / ceilingGflops())})`).join(' | ')} |`,
      ),
    );
  }
  for (const workload of single[0]?.rows.map((r) => r.workload) ?? []) {
    const profiles = single.map((run) => ({ run, p: run.rows.find((r) => r.workload === workload)! }));
    const names = [
      ...new Set(profiles.flatMap(({ p }) => p.kernels.filter((k) => k.share >= minShare).map((k) => k.kernel))),
    ];
    lines.push(
      '',
      `${workload}, one thread: ms per step and share of the step`,
      '',
      `| kernel | ${profiles.map(({ run }) => run.simd).join(' | ')} |`,
      `|---|${profiles.map(() => '---:').join('|')}|`,
    );
    for (const name of names)
      lines.push(
        `| ${name} | ${profiles
          .map(({ p }) => {
            const k = p.kernels.find((x) => x.kernel === name);
            return k ? `${k.ms.toFixed(1)} (${pct(k.share)})` : '—';
          })
          .join(' | ')} |`,
      );
    lines.push(
      `| outside kernels (JS, tape) | ${profiles.map(({ p }) => `${(p.outside * p.msPerStep).toFixed(1)} (${pct(p.outside)})`).join(' | ')} |`,
      `| whole step | ${profiles.map(({ p }) => p.msPerStep.toFixed(1)).join(' | ')} |`,
    );
  }
  return lines.join('\n');
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
