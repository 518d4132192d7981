/**
 * Training steps per second of the GPU kit's workloads on one tfjs backend, the counterpart of
 * bench/torch_steps.py (deploy/measure.sh runs both and takes their ratios):
 *   reference          the reference CNN (bench/referenceCnn.ts), batch 64
 *   teacher            the preset teacher's step on the labels (cross-entropy, Adam)
 *   student            the preset student's distillation step without the adversary (λ = 0)
 *   student-adversary  the same with the adversary's pull (λ = 0.5) and its update
 *   node bench/stepRates.ts --backend webgpu|wasm [--kernels own|gradients|tfjs] [--threads N] [--preset lab|tiny]
 *                           [--steps N] [--workloads reference,teacher,student,student-adversary]
 * Prints one JSON line per workload (and a first line naming the backend); ends the process when done.
 */
import * as tf from '@tensorflow/tfjs';
import { startBackend, describeBackend } from '../src/cli/runnerBackend';
import { useWebgpuGradKernels } from '../src/engine/kernels/webgpu/convGradWebgpu';
import { buildModel, modelPreset } from '../src/engine/models/efficientnet';
import { EXPERIMENT_PRESETS, type PresetName } from '../src/engine/presets';
import type { BackendName } from '../src/engine/types';
import { distillStep, modelTraining, referenceStep } from './workloads';

const args = process.argv.slice(2);
const arg = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};

function params(preset: PresetName, id: string): number {
  const cfg = EXPERIMENT_PRESETS[preset];
  const m = buildModel(modelPreset(id), {
    inputSize: cfg.dataset.size,
    classes: cfg.dataset.classes,
    seed: 1,
    name: 'p',
  });
  const n = m.trainableWeights.reduce((s, w) => s + w.shape.reduce<number>((a, b) => a * (b ?? 1), 1), 0);
  m.dispose();
  return n;
}

async function main() {
  const backendName = arg('backend', 'webgpu') as BackendName;
  const kernels = arg('kernels', 'own');
  if (kernels !== 'own' && kernels !== 'gradients' && kernels !== 'tfjs')
    throw new Error(`--kernels: own, gradients or tfjs, not ${kernels}`);
  useWebgpuGradKernels(kernels);
  const threads = args.includes('--threads') ? Number(arg('threads', '1')) : undefined;
  const backend = await startBackend(backendName, threads);
  const preset = arg('preset', 'lab') as PresetName;
  const steps = Number(arg('steps', '10'));
  const cfg = EXPERIMENT_PRESETS[preset];
  const label = describeBackend(backend);
  console.log(JSON.stringify({ backend: label, adapter: backend.adapter ?? null }));
  for (const w of arg('workloads', 'reference,teacher,student,student-adversary').split(',')) {
    let row: { batch: number; imagesPerSecond: number; msPerStep: number; tensorsBefore: number; tensorsAfter: number };
    let model = 'reference-cnn';
    if (w === 'reference') row = await referenceStep(steps);
    else if (w === 'teacher') {
      model = cfg.teacherModel;
      const t = modelTraining(preset, model);
      await t.step();
      const t0 = performance.now();
      for (let i = 0; i < steps; i++) await t.step();
      const ms = (performance.now() - t0) / steps;
      t.dispose();
      row = {
        batch: t.batch,
        imagesPerSecond: (1000 * t.batch) / ms,
        msPerStep: ms,
        tensorsBefore: 0,
        tensorsAfter: 0,
      };
    } else if (w === 'student' || w === 'student-adversary') {
      model = cfg.studentModel;
      row = await distillStep(preset, steps, w === 'student-adversary');
    } else throw new Error(`unknown workload ${w}`);
    console.log(
      JSON.stringify({
        workload: w === 'reference' ? w : `${w}-${preset}`,
        backend: backend.name,
        kernels: backend.name === 'webgpu' ? kernels : (backend.kernels ?? null),
        threads: backend.threads ?? null,
        params: w === 'reference' ? null : params(preset, model),
        batch: row.batch,
        imagesPerSecond: row.imagesPerSecond,
        msPerStep: row.msPerStep,
        tensors: tf.memory().numTensors,
      }),
    );
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  },
);
