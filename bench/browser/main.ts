/**
 * The bench's browser page: bench/bench.ts builds it with Vite, opens it in headless Chromium
 * once per backend and calls window.fdBench.run(); the workloads are the Node bench's own.
 */
import * as tf from '@tensorflow/tfjs';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { selectBackend } from '../../src/engine/backend';
import { generateSynthetic } from '../../src/engine/data/synthetic';
import { EXPERIMENT_PRESETS, type PresetName } from '../../src/engine/presets';
import type { BackendName } from '../../src/engine/types';
import { openLabDb } from '../../src/storage/db';
import { loadDataset } from '../../src/worker/datasetLoader';
import { importFolder } from '../../src/worker/folderImport';
import { distillStep, inferenceLatency, referenceStep } from '../workloads';
import { planRefusal } from '../planRefusal';
import { dataPathRate } from '../dataPath';
import { decodeToSquare } from '../../src/worker/imageDecode';

export interface BrowserBenchSpec {
  backend: BackendName;
  workloads: string[];
  steps: number;
  /** wasm: threads to ask for (0 or absent: the single-threaded build). */
  threads?: number;
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
  if (first.fromCache || !second.fromCache)
    throw new Error('the cache did not behave: first load should generate, second should read');
  return {
    preset,
    images: first.dataset.count,
    firstLoadMs: t1 - t0,
    cachedLoadMs: t2 - t1,
    generateOnlyMs: t3 - t2,
    speedUp: (t1 - t0) / (t2 - t1),
  };
}

/**
 * A user's folder, made up here: `count` 96×96 PNGs and a labels.csv. First load = decode, crop,
 * resize and store (importFolder, as the worker runs it); cached load = read back from IndexedDB.
 */
async function folderCache(count: number, size: number) {
  const files: File[] = [];
  const lines = ['file,class,group'];
  const canvas = new OffscreenCanvas(96, 96);
  const ctx = canvas.getContext('2d')!;
  for (let i = 0; i < count; i++) {
    ctx.fillStyle = `hsl(${(i * 37) % 360} 70% ${30 + (i % 40)}%)`;
    ctx.fillRect(0, 0, 96, 96);
    ctx.fillStyle = i % 2 ? '#fff' : '#000';
    ctx.fillRect(i % 60, (i * 7) % 60, 30, 30);
    files.push(
      new File([await canvas.convertToBlob({ type: 'image/png' })], `photos/img${i}.png`, { type: 'image/png' }),
    );
    lines.push(`img${i}.png,class${i % 4},${i % 2 ? 'a' : 'b'}`);
  }
  files.push(new File([lines.join('\n')], 'photos/labels.csv', { type: 'text/csv' }));
  const t0 = performance.now();
  const summary = await importFolder({ files, size, source: 'csv', seed: 0 }, () => undefined);
  const t1 = performance.now();
  const db = await openLabDb();
  const cached = await loadDataset(summary.config, db);
  const t2 = performance.now();
  db.close();
  if (!cached.fromCache || cached.dataset.count !== count)
    throw new Error('the imported dataset did not come back from the cache');
  return {
    preset: `folder of ${count} PNGs at ${size}px`,
    images: count,
    firstLoadMs: t1 - t0,
    cachedLoadMs: t2 - t1,
    speedUp: (t1 - t0) / (t2 - t1),
  };
}

/** The data path in the page: 48 generated 640×480 JPEGs decoded by the worker's decoder, then streamed. */
async function dataPath() {
  const canvas = new OffscreenCanvas(640, 480);
  const ctx = canvas.getContext('2d')!;
  const photos: Blob[] = [];
  for (let i = 0; i < 48; i++) {
    const g = ctx.createLinearGradient(0, 0, 640, 480);
    g.addColorStop(0, `hsl(${(i * 37) % 360} 60% 40%)`);
    g.addColorStop(1, `hsl(${(i * 91) % 360} 60% 70%)`);
    ctx.fillStyle = g;
    ctx.fillRect(0, 0, 640, 480);
    for (let k = 0; k < 40; k++) {
      ctx.fillStyle = `hsl(${(i * 13 + k * 29) % 360} 70% 50%)`;
      ctx.fillRect((k * 53 + i * 7) % 600, (k * 31 + i * 11) % 440, 40, 40);
    }
    photos.push(await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.85 }));
  }
  return dataPathRate('chromium (createImageBitmap + canvas)', photos, (p, size) => decodeToSquare(p, size));
}

async function run(spec: BrowserBenchSpec) {
  if (spec.threads && !crossOriginIsolated)
    return { backend: spec.backend, skipped: 'threads need a cross-origin isolated page' };
  // tfjs-wasm caps its threads at hardwareConcurrency / 2 (it assumes two hyperthreads per core); a
  // 2-vCPU machine would get 1. The bench asks for what it measures.
  if (spec.threads)
    Object.defineProperty(navigator, 'hardwareConcurrency', { get: () => 2 * spec.threads!, configurable: true });
  const report = await selectBackend({
    forced: spec.backend,
    wasmThreads: spec.threads || undefined,
    wasmPaths: {
      'tfjs-backend-wasm.wasm': wasmPlain,
      'tfjs-backend-wasm-simd.wasm': wasmSimd,
      'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded,
    },
  });
  if (report.name !== spec.backend) return { backend: report.name, skipped: report.fallbacks.join('; ') };
  const rows: unknown[] = [];
  for (const w of spec.workloads) {
    if (w === 'reference') rows.push(await referenceStep(spec.steps));
    else if (w.startsWith('distill-')) rows.push(await distillStep(w.slice(8) as PresetName, spec.steps));
    else if (w.startsWith('inference-')) rows.push(await inferenceLatency(w.slice(10) as PresetName, 5));
    else if (w.startsWith('dataset-')) rows.push(await datasetCache(w.slice(8) as PresetName));
    else if (w === 'folder') rows.push(await folderCache(400, 64));
    else if (w === 'plan-refusal') rows.push(planRefusal('chromium'));
    else if (w === 'data-path') rows.push(await dataPath());
    else throw new Error(`unknown workload ${w}`);
  }
  return { backend: tf.getBackend(), threads: tf.getBackend() === 'wasm' ? getThreadsCount() : undefined, rows };
}

(window as unknown as { fdBench: { run: typeof run } }).fdBench = { run };
document.getElementById('status')!.textContent = 'bench page ready';
