import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { registerWebgpuAdam } from '../src/engine/kernels/webgpu/adamPrograms';
import { registerWebgpuFused } from '../src/engine/kernels/webgpu/fusedPrograms';
import {
  registerWebgpuConvGradKernels,
  useWebgpuGradKernels,
  type WebgpuGradKernels,
} from '../src/engine/kernels/webgpu/convGradWebgpu';
import { recordStep } from '../src/engine/kernels/webgpu/webgpuWork';
import { GPU_READBACK_EVERY } from '../src/engine/run/epochLoop';
import { presetModels } from './webgpuWork';
import { modelTraining } from './workloads';

/**
 * A WebGPU training step's host cost, timed on Dawn's null adapter (`create(['backend=null'])` in the npm
 * package `webgpu`): it accepts every command and executes none, so what a step costs here is tfjs's
 * bookkeeping, its uniform buffers and bind groups, Dawn's validation and the submits — the time a
 * GPU would wait on the host. Per preset model and gradient-kernel path: the median wall time of a step
 * after warm-up (the loss read back every 16 steps without waiting for it, as the lab's loop does), the dispatches and
 * submits of one step, and µs per dispatch (to set beside the 24–36 µs measured for Dawn on Vulkan,
 * arXiv 2604.02344). The outputs are garbage and nothing numeric is checked.
 *
 * Dawn's null device holds its buffers in host memory and refuses past 512 MB, so every model steps at
 * batch 8: a step's dispatches, submits and bind groups are per op, not per image, so its host cost is
 * the batch-64 step's too.
 *
 *   npx tsx bench/webgpuHost.ts [--steps 9] [--out bench/out/webgpu-host.json]
 */

export interface WebgpuHostRow {
  model: string;
  kernels: WebgpuGradKernels;
  batch: number;
  dispatchesPerStep: number;
  submitsPerStep: number;
  readbacksPerStep: number;
  hostMsPerStep: number;
  hostUsPerDispatch: number;
  /** The median over paired rounds of tfjs's step time over this one's. */
  ratioToTfjs: number;
  stepsMs: number[];
}

export const HOST_BATCH = 8;

/** Gives Node Dawn's null adapter as navigator.gpu and starts tfjs's WebGPU backend on it. */
export async function nullAdapterBackend(): Promise<string> {
  process.env.XDG_RUNTIME_DIR ??= '/tmp';
  const { create, globals } = await import('webgpu');
  Object.assign(globalThis, globals);
  const gpu = create(['backend=null']);
  Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  // tfjs-backend-webgpu registers itself only where navigator.gpu exists when it loads.
  await import('@tensorflow/tfjs-backend-webgpu');
  // The lab's own WebGPU kernels, as selectBackend registers them (the 'own' rows run them).
  registerWebgpuConvGradKernels();
  registerWebgpuAdam();
  registerWebgpuFused();
  if (!(await tf.setBackend('webgpu'))) throw new Error('tfjs could not start WebGPU on the null adapter');
  const adapter = await gpu.requestAdapter();
  return `Dawn null backend (${adapter ? 'adapter found' : 'no adapter'})`;
}

/**
 * Destroys the buffers tfjs keeps for reuse: a model's pool would otherwise stay allocated for the next
 * model, and the null device's 512 MB fill up across models.
 */
function trimBufferPool(backend: WebGPUBackend): void {
  const pool = (
    backend as unknown as { bufferManager: { freeBuffers: Map<string, GPUBuffer[]>; numFreeBuffers: number } }
  ).bufferManager;
  for (const buffers of pool.freeBuffers.values()) {
    for (const b of buffers) b.destroy();
    buffers.length = 0; // the keys stay: tfjs stops pooling when the map is empty
  }
  pool.numFreeBuffers = 0;
}

const KINDS = ['tfjs', 'gradients', 'own'] as const;
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

/**
 * Per preset model, the three kernel sets side by side in paired rounds (one step of each per round, in
 * turn, so a burst of load on this shared CPU falls on all three alike): the median step of each, and
 * `ratioToTfjs`, the median over rounds of tfjs's step over this one's.
 */
export async function webgpuHost(steps = 9, log: (s: string) => void = () => {}): Promise<WebgpuHostRow[]> {
  const rows: WebgpuHostRow[] = [];
  const backend = tf.backend() as unknown as WebGPUBackend;
  for (const { preset, model } of presetModels()) {
    const runs: {
      kernels: WebgpuGradKernels;
      t: ReturnType<typeof modelTraining>;
      record: Awaited<ReturnType<typeof recordStep>>;
      ms: number[];
      costs: tf.Tensor[];
    }[] = [];
    for (const kernels of KINDS) {
      useWebgpuGradKernels(kernels);
      const t = modelTraining(preset, model, HOST_BATCH);
      // Warm-up: pipelines compiled, Adam's slots made, tfjs's buffer pool filled.
      for (let i = 0; i < 3; i++) await t.step();
      // One step as the lab records it: nothing read back (the loop reads the loss every 16 steps,
      // without waiting for it).
      let kept: tf.Tensor | undefined;
      const record = await recordStep(backend, async () => {
        kept = t.stepKept();
        await Promise.resolve();
      });
      kept!.dispose();
      runs.push({ kernels, t, record, ms: [] as number[], costs: [] as tf.Tensor[] });
    }
    const reads: Promise<unknown>[] = [];
    for (let i = 0; i < steps; i++) {
      for (const r of runs) {
        useWebgpuGradKernels(r.kernels);
        const t0 = performance.now();
        r.costs.push(r.t.stepKept());
        if (r.costs.length === GPU_READBACK_EVERY || i === steps - 1) {
          const batch = r.costs.splice(0);
          const stacked = tf.stack(batch);
          tf.dispose(batch);
          reads.push(stacked.data().finally(() => stacked.dispose()));
        }
        r.ms.push(performance.now() - t0);
        await new Promise((res) => setTimeout(res, 0)); // the event loop turns between steps, as the lab's does
      }
    }
    await Promise.all(reads);
    for (const r of runs) {
      r.t.dispose();
      const m = median(r.ms);
      rows.push({
        model: `${preset}/${model}`,
        kernels: r.kernels,
        batch: HOST_BATCH,
        dispatchesPerStep: r.record.dispatches,
        submitsPerStep: r.record.submits,
        readbacksPerStep: r.record.readbacks,
        hostMsPerStep: m,
        hostUsPerDispatch: (1000 * m) / r.record.dispatches,
        ratioToTfjs: median(r.ms.map((v, i) => runs[0].ms[i] / v)),
        stepsMs: r.ms.map((v) => Math.round(v * 10) / 10),
      });
      log(`${preset}/${model} ${r.kernels}: ${m.toFixed(1)} ms a step, ${r.record.dispatches} dispatches`);
    }
    trimBufferPool(backend);
  }
  useWebgpuGradKernels('own');
  return rows;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const arg = (name: string, fallback: string) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : fallback;
  };
  const out = arg('out', 'bench/out/webgpu-host.json');
  const adapter = await nullAdapterBackend();
  const rows = await webgpuHost(Number(arg('steps', '9')), (s) => console.error(s));
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(
    out,
    JSON.stringify(
      {
        when: new Date().toISOString(),
        command: `npx tsx bench/webgpuHost.ts ${args.join(' ')}`.trim(),
        adapter,
        rows,
      },
      null,
      2,
    ),
  );
  for (const r of rows)
    console.log(
      `| ${r.model} | ${r.kernels} | ${r.dispatchesPerStep} | ${r.submitsPerStep} | ${r.readbacksPerStep} | ${r.hostMsPerStep.toFixed(1)} | ${r.ratioToTfjs.toFixed(2)}× | ${r.hostUsPerDispatch.toFixed(1)} |`,
    );
  process.exit(0);
}
