import type { PlanRefusal } from './planRefusal';
import type { B0Pair } from './b0Step';
import type { DataPathRate } from './dataPath';
import { referenceFlopsPerImage } from './referenceCnn';
import type { GpuLoopCounts } from './gpuLoop';
import type { WebgpuWorkRow } from './webgpuWork';
import { formatKernelShares, type KernelShareRun } from './kernelProfile';
import type { InferenceResult, StepResult } from './workloads';

/** What one bench run measured, as plain values: filled by bench.ts, formatted here. */

export interface Row extends StepResult {
  env: 'node' | 'chromium' | 'pytorch';
  backend: string;
}

/**
 * Paired rounds on the reference CNN: PyTorch (2 threads) and one tfjs path measured back to back,
 * `rounds` times. On a shared machine both move together, so the ratio within a round is steadier
 * than a ratio to one anchor figure; the table reports the median and the range.
 */
/** Alternating rounds on the reference CNN, PyTorch and a tfjs path at the same thread count (images/s). */
export interface Paired {
  env: string;
  backend: string;
  threads: number;
  ratios: number[];
  torch: number[];
  tfjs: number[];
}

export interface BenchReport {
  rows: Row[];
  paired: Paired[];
  latency: (InferenceResult & { env: string; backend: string })[];
  notes: string[];
  datasetCache: unknown;
  folderCache: unknown;
  charts: { visibleSeconds: number[]; hiddenSeconds: number[]; url: string } | null;
  /** PyTorch measured once more after everything else: how far the anchor drifted during the run. */
  anchorAtEnd: Row[];
  /** WebGPU in Node: dispatches, submissions and reads back per training step of the real loop. */
  gpuLoop: GpuLoopCounts[];
  /** Each kernel's share of a reference and a lab-teacher step, before and after the SIMD kernels. */
  kernelShares: KernelShareRun[];
  /** What a training step of each preset model asks of a GPU, with tfjs's gradient kernels and the lab's own. */
  webgpuWork: WebgpuWorkRow[];
  /** How fast a plan of 10^8 students is refused, by the runner's and the page's paths (median ms). */
  planRefusal: PlanRefusal[];
  /** torchvision's B0 training at 224 px, batch 16: the lab against PyTorch CPU at equal threads. */
  b0: B0Pair[];
  /** Images per second the data path delivers at 224 px (decode once; stream every epoch), Node and Chromium. */
  dataPath: DataPathRate[];
}

export function emptyReport(): BenchReport {
  return {
    rows: [],
    paired: [],
    latency: [],
    notes: [],
    datasetCache: null,
    folderCache: null,
    charts: null,
    anchorAtEnd: [],
    gpuLoop: [],
    kernelShares: [],
    webgpuWork: [],
    planRefusal: [],
    b0: [],
    dataPath: [],
  };
}

export const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** The markdown tables of one bench run, from its measurements alone. */
export function formatReport(report: BenchReport, rounds: number): string {
  const torch =
    report.rows.find((r) => r.env === 'pytorch' && r.backend.includes('×2')) ??
    report.rows.find((r) => r.env === 'pytorch');
  const lines = [
    '| where | backend | workload | batch | images/s | ms/step | ratio to PyTorch | tensors before → after |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const r of report.rows) {
    const ratio =
      r.workload === 'reference-cnn' && torch ? (r.imagesPerSecond / torch.imagesPerSecond).toFixed(3) : '—';
    lines.push(
      `| ${r.env} | ${r.backend} | ${r.workload} | ${r.batch} | ${r.imagesPerSecond.toFixed(1)} | ${r.msPerStep.toFixed(0)} | ${ratio} | ${r.env === 'pytorch' ? '—' : `${r.tensorsBefore} → ${r.tensorsAfter}`} |`,
    );
  }
  if (report.paired.length) {
    const gflops = (imagesPerSecond: number) => (imagesPerSecond * referenceFlopsPerImage()) / 1e9;
    // What the machine can do at a thread count: the best PyTorch round of the run at that count.
    const best = (threads: number) =>
      Math.max(...report.paired.filter((p) => p.threads === threads).flatMap((p) => p.torch));
    lines.push(
      '',
      `Paired rounds on the reference CNN (${(referenceFlopsPerImage() / 1e6).toFixed(1)} MFLOP per image per step): PyTorch and tfjs at the same thread count, alternately, ${rounds} times:`,
      '',
      '| where | backend | threads | median ratio | range | GFLOP/s tfjs (median) | GFLOP/s PyTorch (median, best) | tfjs median / best PyTorch round | PyTorch img/s per round | tfjs img/s per round |',
      '|---|---|---|---|---|---|---|---|---|---|',
    );
    for (const p of report.paired)
      lines.push(
        `| ${p.env} | ${p.backend} | ${p.threads} | ${median(p.ratios).toFixed(3)} | ${Math.min(...p.ratios).toFixed(3)}–${Math.max(...p.ratios).toFixed(3)} | ${gflops(median(p.tfjs)).toFixed(2)} | ${gflops(median(p.torch)).toFixed(2)}, ${gflops(best(p.threads)).toFixed(2)} | ${(median(p.tfjs) / best(p.threads)).toFixed(3)} | ${p.torch.map((v) => v.toFixed(0)).join(', ')} | ${p.tfjs.map((v) => v.toFixed(0)).join(', ')} |`,
      );
  }
  lines.push(
    '',
    '| where | backend | preset | teacher ms/image | student ms/image | student speed-up |',
    '|---|---|---|---|---|---|',
  );
  for (const l of report.latency)
    lines.push(
      `| ${l.env} | ${l.backend} | ${l.preset} | ${l.teacherMsPerImage.toFixed(2)} | ${l.studentMsPerImage.toFixed(2)} | ${l.speedUp.toFixed(2)}× |`,
    );
  if (report.datasetCache) {
    const d = report.datasetCache as {
      preset: string;
      images: number;
      firstLoadMs: number;
      cachedLoadMs: number;
      speedUp: number;
    };
    lines.push(
      '',
      `Dataset (${d.preset}, ${d.images} images, Chromium IndexedDB): first load ${d.firstLoadMs.toFixed(0)} ms, cached load ${d.cachedLoadMs.toFixed(0)} ms (${d.speedUp.toFixed(1)}× faster).`,
    );
  }
  if (report.folderCache) {
    const d = report.folderCache as { preset: string; firstLoadMs: number; cachedLoadMs: number; speedUp: number };
    lines.push(
      '',
      `Imported ${d.preset} (Chromium): first load (decode, crop, resize, store) ${d.firstLoadMs.toFixed(0)} ms, cached load ${d.cachedLoadMs.toFixed(0)} ms (${d.speedUp.toFixed(1)}× faster).`,
    );
  }
  if (report.b0.length) {
    lines.push(
      '',
      "torchvision's EfficientNet-B0 training at 224 px, batch 16 (Adam, cross-entropy), the lab on wasm against PyTorch CPU at the same thread count, paired rounds:",
      '',
      '| threads | lab ms/step | PyTorch ms/step | PyTorch ms / lab ms (median) | one WIDER epoch (10,324 images) in the lab |',
      '|---|---|---|---|---|',
      ...report.b0.map(
        (b) =>
          `| ${b.threads} | ${b.labMs.map((v) => v.toFixed(0)).join(', ')} | ${b.torchMs.map((v) => v.toFixed(0)).join(', ')} | ${median(b.ratios).toFixed(2)} | ${b.widerEpochMinutes.toFixed(0)} min |`,
      ),
    );
  }
  if (report.dataPath.length) {
    // What one training step of B0 at 224 px, batch 16, needs on this CPU (the B0 pair, when measured).
    const b0 = report.b0[0];
    const needed = b0 ? (1000 * b0.batch) / median(b0.labMs) : null;
    lines.push(
      '',
      'The data path at 224 px (images/s): decoding a 640×480 JPEG to its square (once per dataset), and streaming',
      'prepared batches of 16 (every epoch), plain and with crop+flip. A GPU keeps fed while its B0 step at batch 16',
      'takes at least 16 / (streamed images/s) seconds — the figure to check with the GPU kit:',
      '',
      `| where | decode | stream | stream, crop+flip | keeps a GPU fed down to (ms per B0 step) |${needed ? ' × what a B0 step here needs |' : ''}`,
      `|---|---|---|---|---|${needed ? '---|' : ''}`,
      ...report.dataPath.map(
        (d) =>
          `| ${d.where} | ${d.decodeImagesPerSecond.toFixed(0)} | ${d.streamImagesPerSecond.toFixed(0)} | ${d.augmentedImagesPerSecond.toFixed(0)} | ${((1000 * d.batch) / d.augmentedImagesPerSecond).toFixed(1)} |${needed ? ` ${(d.augmentedImagesPerSecond / needed).toFixed(0)}× |` : ''}`,
      ),
    );
  }
  if (report.planRefusal.length) {
    lines.push(
      '',
      'A plan of 10^8 students refused from the sizes of its lists (median ms; target ≤ 50):',
      '',
      '| where | runner path (flags) | page path (link + form check) |',
      '|---|---|---|',
      ...report.planRefusal.map((p) => `| ${p.where} | ${p.runnerMs.toFixed(2)} | ${p.pageMs.toFixed(2)} |`),
    );
  }
  if (report.charts) {
    const med = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
    lines.push(
      '',
      `Live report.charts (Chromium, wasm, ${report.charts.url}): ${med(report.charts.visibleSeconds).toFixed(1)} s with the loss chart drawn vs ${med(report.charts.hiddenSeconds).toFixed(1)} s hidden (median of ${report.charts.visibleSeconds.length}); training throughput with report.charts = ${(med(report.charts.hiddenSeconds) / med(report.charts.visibleSeconds)).toFixed(2)}× of hidden.`,
    );
  }
  if (torch) lines.push('', `Ratios are to ${torch.backend} on the reference CNN, measured in this run.`);
  if (report.anchorAtEnd.length) {
    lines.push(
      `The anchor again at the end of the run: ${report.anchorAtEnd.map((r) => `${r.backend} ${r.imagesPerSecond.toFixed(0)} img/s`).join(', ')} (a shared machine moves it; ratios to the end figure differ by that much).`,
    );
  }
  if (report.gpuLoop.length) {
    lines.push(
      '',
      `WebGPU in Node, the training loop per step (steady state; loss terms read back every ${report.gpuLoop[0].readbackEvery} steps):`,
      '| adapter | model | steps | dispatches | submits | reads back | ms |',
      '|---|---|---|---|---|---|---|',
      ...report.gpuLoop.map(
        (g) =>
          `| ${g.adapter} | ${g.model} | ${g.steps} | ${g.dispatchesPerStep.toFixed(0)} | ${g.submitsPerStep.toFixed(1)} | ${g.readbacksPerStep.toFixed(3)} | ${g.msPerStep.toFixed(0)} |`,
      ),
    );
  }
  if (report.webgpuWork.length) lines.push('', formatWebgpuWork(report.webgpuWork));
  if (report.kernelShares.length) lines.push('', formatKernelShares(report.kernelShares));
  for (const n of report.notes) lines.push(`- ${n}`);
  return lines.join('\n');
}

const count = (n: number) => n.toLocaleString('en-US');

const KERNEL_LABEL = { tfjs: 'tfjs 4.22', gradients: 'own gradients', own: 'own + fused' } as const;

/** The webgpuWork table: per preset model, tfjs's kernels beside the lab's gradient kernels, and with its fused programs. */
export function formatWebgpuWork(rows: WebgpuWorkRow[]): string {
  const lines = [
    'WebGPU work of one training step (counted from the programs’ own dispatch and loop bounds; the same on any adapter):',
    '',
    '| model | batch | gradient kernels | serial chain (multiply-adds) | shorter by | fewest invocations | fewest over 4 M multiply-adds | gradient dispatches | dispatches | submits | reads back | host ms a step (null adapter) | lower by | µs a dispatch |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  const ms = (v: number | undefined) => (v === undefined ? '—' : v.toFixed(1));
  for (const r of rows) {
    const tfjs = rows.find((t) => t.model === r.model && t.kernels === 'tfjs');
    const by = r.kernels !== 'tfjs' && tfjs ? `${(tfjs.serialChain / r.serialChain).toFixed(1)}×` : '—';
    const hostBy =
      r.kernels === 'tfjs'
        ? '—'
        : r.hostRatioToTfjs !== undefined
          ? `${r.hostRatioToTfjs.toFixed(2)}×`
          : tfjs?.hostMsPerStep && r.hostMsPerStep
            ? `${(tfjs.hostMsPerStep / r.hostMsPerStep).toFixed(2)}×`
            : '—';
    lines.push(
      `| ${r.model} | ${r.batch} | ${KERNEL_LABEL[r.kernels]} | ${count(r.serialChain)} | ${by} | ${count(r.minInvocations)} | ${r.minInvocationsOver4M === null ? 'none that large' : count(r.minInvocationsOver4M)} | ${r.gradDispatches} | ${r.dispatchesPerStep} | ${r.submitsPerStep} | ${r.readbacksPerStep} | ${ms(r.hostMsPerStep)} | ${hostBy} | ${ms(r.hostUsPerDispatch)} |`,
    );
  }
  lines.push(
    '',
    'Host time: the median step on Dawn’s null adapter (it executes nothing), at batch 8, the kernel sets in paired rounds; “lower by” is the median over rounds of tfjs’s step over this one’s (bench/webgpuHost.ts); published: 24–36 µs a dispatch for Dawn on Vulkan (arXiv 2604.02344).',
  );
  const own = rows.filter((r) => r.kernels === 'own');
  if (own.length)
    lines.push(
      '',
      'Where the dispatches go (own kernels; the programs with the most dispatches per step):',
      ...own.map((r) => `- ${r.model}: ${r.topPrograms.map(([p, n]) => `${p} ${n}`).join(', ')}`),
    );
  return lines.join('\n');
}
