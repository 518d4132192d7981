import { availableParallelism } from 'node:os';
import { adapterName, defaultWasmThreads, selectBackend } from '../engine/backend';
import type { BackendName, BackendReport, LabEvent } from '../engine/types';
import { enableRelaxedSimd } from './relaxedSimdNode';
import { prepareNodeWasmThreads } from './wasmThreadsNode';
import { provideNodeWebGPU } from './webgpuNode';

/**
 * The headless runner's backend: WebGPU where Dawn finds a GPU, else wasm (threads by the page's rule
 * unless --threads says), else cpu. A backend asked for by name is a promise about where the numbers
 * come from: it never falls back quietly.
 */
export async function startBackend(
  forced: BackendName | undefined,
  threads: number | undefined,
): Promise<BackendReport> {
  enableRelaxedSimd();
  const noDawn = !forced || forced === 'webgpu' ? await provideNodeWebGPU() : null;
  const backend = await selectBackend({
    forced,
    wasmThreads: threads ?? defaultWasmThreads(availableParallelism()),
    nodeWasmThreads: prepareNodeWasmThreads,
  });
  if (noDawn) backend.fallbacks.unshift(noDawn);
  if (forced && backend.name !== forced)
    throw new Error(`--backend ${forced} could not start: ${backend.fallbacks.join('; ')}`);
  return backend;
}

export function describeBackend(b: BackendReport): string {
  const threads = b.threads ? ` (${b.threads} thread${b.threads > 1 ? 's' : ''})` : '';
  const adapter = b.adapter ? ` on ${adapterName(b.adapter)}${b.adapter.software ? ' (a software adapter)' : ''}` : '';
  const kernels = b.kernels
    ? `, ${/^(relaxed|simd)(\+fused)?$/.test(b.kernels) ? `${b.kernels} SIMD kernels${(b.kernelThreads ?? 1) > 1 ? ` on ${b.kernelThreads} threads` : ''}` : b.kernels}`
    : '';
  const passed = b.fallbacks.length ? ` (passed over: ${b.fallbacks.join('; ')})` : '';
  return `${b.name}${threads}${kernels}${adapter}${passed}`;
}

/** Progress every 2 s and each model's result, as lines on stderr. */
export function progressLines(prefix: string, log: (s: string) => void): (e: LabEvent) => void {
  let last = 0;
  return (e) => {
    if (e.type === 'progress' && Date.now() - last > 2000) {
      last = Date.now();
      log(
        `  ${prefix} · ${e.runLabel} · epoch ${e.epoch}/${e.epochs} · ${(100 * e.fraction).toFixed(0)}%${e.etaSeconds !== null ? ` · ETA ${e.etaSeconds.toFixed(0)} s` : ''}\n`,
      );
    } else if (e.type === 'result') {
      log(
        `  ${prefix} · ${e.result.label}: accuracy ${(100 * e.result.test.accuracy).toFixed(1)}%, mean |disparity| ${e.result.fairness.meanAbsDisparity?.toFixed(4) ?? 'not measurable'} (noise floor ${e.result.fairness.meanAbsDisparityFloor?.toFixed(4) ?? '—'})\n`,
      );
    } else if (e.type === 'runFailed') {
      log(`  ${prefix} · ${e.label} failed: ${e.message}\n`);
    }
  };
}
