/**
 * The bench's browser page: bench/bench.ts builds it with Vite, opens it in headless Chromium
 * once per backend and calls window.fdBench.run(); the workloads are the Node bench's own.
 */
import * as tf from '@tensorflow/tfjs';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { selectBackend } from '../../src/engine/backend';
import { generateSynthetic } from '../../src/engine/data/synthetic';
import { EXPERIMENT_PRESETS, type PresetName } from '../../src/engine/presets';
import type { BackendName } from '../../src/engine/types';
import { openLabDb } from '../../src/storage/db';
import { loadDataset } from '../../src/worker/datasetLoader';
import { distillStep, inferenceLatency, referenceStep } from '../workloads';

export interface BrowserBenchSpec {
  backend: BackendName;
  workloads: string[];
  steps: number;
}

async function datasetCache(preset: PresetName) {
  const config = EXPERIMENT_PRESETS[preset].dataset;
  const db = await openLabDb('fairdistill-bench');
  const tx = db.transaction('datasets', 'readwrite');
  await tx.store.clear();
  await tx.done;
  const t0 = performance.now();
  const first = await loadDataset(config, db);
  const t1 = performance.now();
  const second = await loadDataset(config, db);
  const t2 = performance.now();
  generateSynthetic(config);
  const t3 = performance.now();
  db.close();
  if (first.fromCache || !second.fromCache) throw new Error('the cache did not behave: first load should generate, second should read');
  return { preset, images: first.dataset.count, firstLoadMs: t1 - t0, cachedLoadMs: t2 - t1, generateOnlyMs: t3 - t2, speedUp: (t1 - t0) / (t2 - t1) };
}

async function run(spec: BrowserBenchSpec) {
  const report = await selectBackend({
    forced: spec.backend,
    wasmPaths: { 'tfjs-backend-wasm.wasm': wasmPlain, 'tfjs-backend-wasm-simd.wasm': wasmSimd, 'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded },
  });
  if (report.name !== spec.backend) return { backend: report.name, skipped: report.fallbacks.join('; ') };
  const rows: unknown[] = [];
  for (const w of spec.workloads) {
    if (w === 'reference') rows.push(await referenceStep(spec.steps));
    else if (w.startsWith('distill-')) rows.push(await distillStep(w.slice(8) as PresetName, spec.steps));
    else if (w.startsWith('inference-')) rows.push(await inferenceLatency(w.slice(10) as PresetName, 5));
    else if (w.startsWith('dataset-')) rows.push(await datasetCache(w.slice(8) as PresetName));
    else throw new Error(`unknown workload ${w}`);
  }
  return { backend: tf.getBackend(), rows };
}

(window as unknown as { fdBench: { run: typeof run } }).fdBench = { run };
document.getElementById('status')!.textContent = 'bench page ready';
