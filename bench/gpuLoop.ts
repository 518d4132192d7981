import * as tf from '@tensorflow/tfjs';
import { generateSynthetic } from '../src/engine/data/synthetic';
import { EXPERIMENT_PRESETS, methodChoice } from '../src/engine/presets';
import { readbackEvery } from '../src/engine/run/epochLoop';
import { runExperiment } from '../src/engine/run/experiment';
import type { BackendReport, LabEvent } from '../src/engine/types';

/**
 * What the training loop asks of a GPU per step, counted where WebGPU is a JavaScript object (Node,
 * Dawn): compute dispatches, queue submissions and buffer maps (reads back to the CPU). The loop reads
 * its loss terms every GPU_READBACK_EVERY steps; everything else a step does should stay on the GPU.
 */

export interface GpuLoopCounts {
  backend: string;
  adapter: string;
  model: string;
  steps: number;
  readbackEvery: number;
  dispatchesPerStep: number;
  submitsPerStep: number;
  readbacksPerStep: number;
  msPerStep: number;
}

const counts = { dispatch: 0, submit: 0, map: 0 };

/** Counts calls on Dawn's prototypes (installed once; they only add to the counters). */
function installCounters(): boolean {
  const g = globalThis as unknown as Record<
    string,
    { prototype: Record<string, (...a: unknown[]) => unknown> } | undefined
  >;
  const wrap = (cls: string, method: string, key: keyof typeof counts) => {
    const proto = g[cls]?.prototype;
    if (!proto?.[method] || (proto[method] as { counted?: boolean }).counted) return Boolean(proto?.[method]);
    const original = proto[method];
    const counted = function (this: unknown, ...a: unknown[]) {
      counts[key]++;
      return original.apply(this, a);
    };
    (counted as { counted?: boolean }).counted = true;
    proto[method] = counted;
    return true;
  };
  return [
    wrap('GPUComputePassEncoder', 'dispatchWorkgroups', 'dispatch'),
    wrap('GPUQueue', 'submit', 'submit'),
    wrap('GPUBuffer', 'mapAsync', 'map'),
  ].every(Boolean);
}

/** One teacher epoch and one debiased student epoch of the tiny preset, counted between their first and last steps. */
export async function gpuLoopCounts(backend: BackendReport): Promise<GpuLoopCounts[]> {
  if (!installCounters()) throw new Error('WebGPU objects are not reachable from JavaScript here');
  const config = {
    ...EXPERIMENT_PRESETS.tiny,
    teacherEpochs: 1,
    studentEpochs: 2,
    baseline: false,
    methods: [methodChoice('tiny', 'kd')],
    lambdas: [1],
  };
  const data = generateSynthetic(config.dataset);
  const rows: GpuLoopCounts[] = [];
  // The epoch being counted; set and cleared by progress events (so not narrowed by TypeScript here).
  let at = null as { label: string; epoch: number; steps: number; c: typeof counts; t: number } | null;
  const close = () => {
    if (!at || at.steps < 2) return;
    // From the end of the first step to the end of the last: steady state, no first-use compilation.
    const n = at.steps - 1;
    rows.push({
      backend: backend.name,
      adapter: backend.adapter
        ? `${backend.adapter.vendor} ${backend.adapter.architecture}${backend.adapter.software ? ' (software)' : ''}`
        : '',
      model: `${at.label}, epoch ${at.epoch}`,
      steps: n,
      readbackEvery: readbackEvery(tf.getBackend()),
      dispatchesPerStep: (counts.dispatch - at.c.dispatch) / n,
      submitsPerStep: (counts.submit - at.c.submit) / n,
      readbacksPerStep: (counts.map - at.c.map) / n,
      msPerStep: (Date.now() - at.t) / n,
    });
  };
  const emit = (e: LabEvent) => {
    if (e.type !== 'progress') return;
    if (e.step === 1) at = { label: e.runLabel, epoch: e.epoch, steps: 1, c: { ...counts }, t: Date.now() };
    else if (at) at.steps++;
    if (e.step === e.steps) {
      close();
      at = null;
    }
  };
  await runExperiment(config, data, backend, { emit });
  return rows;
}
