import { writeFileSync } from 'node:fs';
import { adapterName, selectBackend } from '../engine/backend';
import { generateSynthetic } from '../engine/data/synthetic';
import { compareTraces, traceBackend, type BackendTrace, type CheckRow } from '../engine/run/backendCheck';
import type { BackendName, ExperimentConfig } from '../engine/types';
import { provideNodeWebGPU } from './webgpuNode';
import { useWebgpuGradKernels, type WebgpuGradKernels } from '../engine/kernels/webgpu/convGradWebgpu';

/** A backend to check, optionally with its gradient kernels named: 'webgpu:tfjs' and 'webgpu:own' compare the two. */
export type CheckedBackend = BackendName | `webgpu:${WebgpuGradKernels}`;

export function parseChecked(entry: string): { name: BackendName; kernels?: WebgpuGradKernels } | null {
  const [name, kernels] = entry.split(':');
  if (!['cpu', 'wasm', 'webgpu'].includes(name)) return null;
  if (kernels === undefined) return { name: name as BackendName };
  return name === 'webgpu' && (kernels === 'own' || kernels === 'gradients' || kernels === 'tfjs')
    ? { name, kernels }
    : null;
}

/** The backends the check compares by default, the first being the reference. */
export const CHECKED_BACKENDS: BackendName[] = ['cpu', 'wasm', 'webgpu'];

export interface BackendCheckReport {
  reference: string;
  config: ExperimentConfig;
  backends: { name: CheckedBackend; ran: boolean; detail: string; seconds?: number }[];
  rows: Record<string, CheckRow[]>;
  ok: boolean;
}

function label(t: BackendTrace & { entry?: CheckedBackend }): string {
  const a = t.backend.adapter;
  const name = t.entry ?? t.backend.name;
  return a ? `${name} (${adapterName(a)}${t.backend.kernels ? `, ${t.backend.kernels}` : ''})` : name;
}

/**
 * `npm run lab -- --check-backends`: the same seeded sweep and gradients on cpu, wasm and webgpu,
 * each compared with cpu. A backend that cannot start here is reported, not failed; a backend that
 * starts and disagrees fails the check (exit status 1).
 */
export async function checkBackends(
  config: ExperimentConfig,
  log: (s: string) => void,
  backends: CheckedBackend[] = CHECKED_BACKENDS,
  outPath?: string,
) {
  if (config.dataset.kind !== 'synthetic') throw new Error('The backend check runs on the built-in dataset.');
  const noDawn = await provideNodeWebGPU();
  const data = generateSynthetic(config.dataset);
  const traces: (BackendTrace & { entry: CheckedBackend })[] = [];
  const report: BackendCheckReport = { reference: backends[0], config, backends: [], rows: {}, ok: true };
  for (const entry of backends) {
    const { name, kernels } = parseChecked(entry)!;
    useWebgpuGradKernels(kernels ?? 'own');
    const backend = await selectBackend({ forced: name, wasmThreads: 1 });
    if (backend.name !== name) {
      const why = [...(name === 'webgpu' && noDawn ? [noDawn] : []), ...backend.fallbacks].join('; ');
      report.backends.push({ name: entry, ran: false, detail: why });
      log(`${entry}: not available here (${why})\n`);
      if (entry === backends[0]) throw new Error(`The reference backend ${entry} could not start: ${why}`);
      continue;
    }
    const t0 = Date.now();
    log(`${name}: running the check's sweep…\n`);
    const trace = { ...(await traceBackend(config, data, backend)), entry };
    const seconds = (Date.now() - t0) / 1000;
    traces.push(trace);
    report.backends.push({ name: entry, ran: true, detail: label(trace), seconds });
    log(`${label(trace)}: ${seconds.toFixed(1)} s\n`);
  }
  const [ref, ...others] = traces;
  for (const t of others) {
    const rows = compareTraces(ref, t);
    report.rows[t.entry] = rows;
    if (rows.some((r) => !r.ok)) report.ok = false;
  }
  useWebgpuGradKernels('own');
  if (outPath) writeFileSync(outPath, JSON.stringify(report, null, 2));
  return { report, text: formatCheck(report, traces) };
}

const fmt = (v: number) => (v === 0 ? '0' : Math.abs(v) >= 0.01 ? v.toFixed(3) : v.toExponential(1));

export function formatCheck(report: BackendCheckReport, traces: (BackendTrace & { entry: CheckedBackend })[]): string {
  const others = traces.slice(1);
  const quantities = others.length ? report.rows[others[0].entry] : [];
  const lines = [
    `Backends against ${report.reference} (the same seeded gradients and sweep: ${report.config.teacherEpochs} teacher and ${report.config.studentEpochs} student epoch(s), λ ${report.config.lambdas.join(', ')})`,
    `| quantity | tolerance | ${others.map(label).join(' | ')} |`,
    `|---|---|${others.map(() => '---|').join('')}`,
    ...quantities.map(
      (q, i) =>
        `| ${q.quantity} | ${fmt(q.tolerance)} | ${others
          .map((t) => {
            const r = report.rows[t.entry][i];
            return `${fmt(r.value)} ${r.ok ? 'ok' : `FAILS (${r.worst})`}`;
          })
          .join(' | ')} |`,
    ),
    ...report.backends.filter((b) => !b.ran).map((b) => `${b.name}: not checked — ${b.detail}`),
    report.ok ? 'All checked backends agree within the tolerances.' : 'A backend disagrees: see FAILS above.',
  ];
  return lines.join('\n');
}
