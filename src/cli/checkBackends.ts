import { writeFileSync } from 'node:fs';
import { adapterName, selectBackend } from '../engine/backend';
import { generateSynthetic } from '../engine/data/synthetic';
import { compareTraces, traceBackend, type BackendTrace, type CheckRow } from '../engine/run/backendCheck';
import type { BackendName, ExperimentConfig } from '../engine/types';
import { provideNodeWebGPU } from './webgpuNode';

/** The backends the check compares by default, the first being the reference. */
export const CHECKED_BACKENDS: BackendName[] = ['cpu', 'wasm', 'webgpu'];

export interface BackendCheckReport {
  reference: string;
  config: ExperimentConfig;
  backends: { name: BackendName; ran: boolean; detail: string; seconds?: number }[];
  rows: Record<string, CheckRow[]>;
  ok: boolean;
}

function label(t: BackendTrace): string {
  const a = t.backend.adapter;
  return a ? `${t.backend.name} (${adapterName(a)})` : t.backend.name;
}

/**
 * `npm run lab -- --check-backends`: the same seeded sweep and gradients on cpu, wasm and webgpu,
 * each compared with cpu. A backend that cannot start here is reported, not failed; a backend that
 * starts and disagrees fails the check (exit status 1).
 */
export async function checkBackends(
  config: ExperimentConfig,
  log: (s: string) => void,
  backends: BackendName[] = CHECKED_BACKENDS,
  outPath?: string,
) {
  if (config.dataset.kind !== 'synthetic') throw new Error('The backend check runs on the built-in dataset.');
  const noDawn = await provideNodeWebGPU();
  const data = generateSynthetic(config.dataset);
  const traces: BackendTrace[] = [];
  const report: BackendCheckReport = { reference: backends[0], config, backends: [], rows: {}, ok: true };
  for (const name of backends) {
    const backend = await selectBackend({ forced: name, wasmThreads: 1 });
    if (backend.name !== name) {
      const why = [...(name === 'webgpu' && noDawn ? [noDawn] : []), ...backend.fallbacks].join('; ');
      report.backends.push({ name, ran: false, detail: why });
      log(`${name}: not available here (${why})\n`);
      if (name === backends[0]) throw new Error(`The reference backend ${name} could not start: ${why}`);
      continue;
    }
    const t0 = Date.now();
    log(`${name}: running the check's sweep…\n`);
    const trace = await traceBackend(config, data, backend);
    const seconds = (Date.now() - t0) / 1000;
    traces.push(trace);
    report.backends.push({ name, ran: true, detail: label(trace), seconds });
    log(`${label(trace)}: ${seconds.toFixed(1)} s\n`);
  }
  const [ref, ...others] = traces;
  for (const t of others) {
    const rows = compareTraces(ref, t);
    report.rows[t.backend.name] = rows;
    if (rows.some((r) => !r.ok)) report.ok = false;
  }
  if (outPath) writeFileSync(outPath, JSON.stringify(report, null, 2));
  return { report, text: formatCheck(report, traces) };
}

const fmt = (v: number) => (v === 0 ? '0' : Math.abs(v) >= 0.01 ? v.toFixed(3) : v.toExponential(1));

export function formatCheck(report: BackendCheckReport, traces: BackendTrace[]): string {
  const others = traces.slice(1);
  const quantities = others.length ? report.rows[others[0].backend.name] : [];
  const lines = [
    `Backends against ${report.reference} (the same seeded gradients and sweep: ${report.config.teacherEpochs} teacher and ${report.config.studentEpochs} student epoch(s), λ ${report.config.lambdas.join(', ')})`,
    `| quantity | tolerance | ${others.map(label).join(' | ')} |`,
    `|---|---|${others.map(() => '---|').join('')}`,
    ...quantities.map(
      (q, i) =>
        `| ${q.quantity} | ${fmt(q.tolerance)} | ${others
          .map((t) => {
            const r = report.rows[t.backend.name][i];
            return `${fmt(r.value)} ${r.ok ? 'ok' : `FAILS (${r.worst})`}`;
          })
          .join(' | ')} |`,
    ),
    ...report.backends.filter((b) => !b.ran).map((b) => `${b.name}: not checked — ${b.detail}`),
    report.ok ? 'All checked backends agree within the tolerances.' : 'A backend disagrees: see FAILS above.',
  ];
  return lines.join('\n');
}
