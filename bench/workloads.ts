/**
 * The bench's workloads, shared by the Node bench (bench/bench.ts) and the browser page
 * (bench/browser/main.ts) so that every backend runs the very same code:
 *   - reference: the small CNN of bench/referenceCnn.ts (mirrored in bench/reference_cnn.py);
 *   - distill:   one distillation step of a lab preset — the run loop's own distillationStep (teacher
 *                forward + student forward/backward with classic KD and gradient reversal at λ = 0.5 +
 *                adversary update);
 *   - inference: teacher and student latency per image (median of repeated batches after warm-up).
 */
import * as tf from '@tensorflow/tfjs';
import { disposeBatch, type Batch } from '../src/engine/data/batches';
import { method, withDefaults } from '../src/engine/distill';
import { distillationStep } from '../src/engine/run/distillationStep';
import { buildAdversary } from '../src/engine/models/adversary';
import { latencyPerImage } from '../src/engine/metrics/efficiency';
import { buildModel, forward, modelPreset, trainableVariables } from '../src/engine/models/efficientnet';
import { crossEntropy } from '../src/engine/distill/common';
// The run loop's Adam: fused where the fused ops run, tfjs's otherwise.
import { adam } from '../src/engine/kernels/fusedAdam';
import { EXPERIMENT_PRESETS, methodChoice, type PresetName } from '../src/engine/presets';
import { buildReferenceCnn, cyclicOneHot, REFERENCE_CNN } from './referenceCnn';

export interface StepResult {
  workload: string;
  batch: number;
  steps: number;
  imagesPerSecond: number;
  msPerStep: number;
  tensorsBefore: number;
  tensorsAfter: number;
}

export interface InferenceResult {
  preset: string;
  teacherMsPerImage: number;
  studentMsPerImage: number;
  speedUp: number;
}

async function timed(steps: number, step: () => Promise<unknown>): Promise<number> {
  await step(); // warm-up: kernel compilation, operator caches
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) await step();
  return (performance.now() - t0) / steps;
}

export async function referenceStep(steps: number): Promise<StepResult> {
  const before = tf.memory().numTensors;
  const net = buildReferenceCnn();
  const ms = await timed(steps, () => net.step());
  net.dispose();
  const batch = REFERENCE_CNN.batch;
  return {
    workload: 'reference-cnn',
    batch,
    steps,
    imagesPerSecond: (1000 * batch) / ms,
    msPerStep: ms,
    tensorsBefore: before,
    tensorsAfter: tf.memory().numTensors,
  };
}

/**
 * One distillation step of a preset's student (with the adversary unless `adversary` is false): the run
 * loop's own distillationStep — teacher forward, student KD with gradient reversal, adversary update.
 */
export function distillTraining(
  preset: PresetName,
  adversary = true,
): { batch: number; step: () => Promise<void>; dispose: () => void } {
  const cfg = EXPERIMENT_PRESETS[preset];
  const size = cfg.dataset.size,
    classes = cfg.dataset.classes,
    batch = cfg.batchSize;
  const teacher = buildModel(modelPreset(cfg.teacherModel), { inputSize: size, classes, seed: 1, name: 'teacher' });
  const student = buildModel(modelPreset(cfg.studentModel), { inputSize: size, classes, seed: 2, name: 'student' });
  const adv = adversary ? buildAdversary(classes, cfg.debias.hidden, cfg.debias.equalizedOdds, 3) : undefined;
  const optimizer = adam(cfg.learningRate);
  const advOptimizer = adam(cfg.debias.adversaryLr);
  const labels = tf.tensor1d(
    Array.from({ length: batch }, (_, i) => i % classes),
    'int32',
  );
  const data: Batch = {
    x: tf.randomUniform([batch, size, size, 3], -1, 1, 'float32', 4) as tf.Tensor4D,
    labels,
    oneHot: tf.tidy(() => tf.oneHot(labels, classes).toFloat() as tf.Tensor2D),
    groups: tf.tensor1d(Array.from({ length: batch }, (_, i) => i % 2)),
    groupMask: tf.ones([batch]) as tf.Tensor1D,
    size: batch,
  };
  const def = method('kd');
  const run = {
    method: 'kd' as const,
    params: withDefaults(def, methodChoice(preset, 'kd').params),
    lambda: adversary ? 0.5 : 0,
    series: 'CKD',
    label: adversary ? 'CKD λ=0.5' : 'CKD λ=0',
    role: 'student' as const,
  };
  const inputs = {
    student,
    teacher,
    def,
    run,
    adversary: adv,
    optimizer,
    advOptimizer: adv ? advOptimizer : undefined,
    vars: trainableVariables([student]),
    advVars: adv ? trainableVariables([adv]) : [],
    batch: data,
    epoch: 1,
    lambda: adversary ? 0.5 : 0,
  };
  return {
    batch,
    async step() {
      const terms = distillationStep(cfg.debias, inputs);
      await Promise.all(Object.values(terms).map((t) => t.data()));
      tf.dispose(Object.values(terms));
    },
    dispose() {
      disposeBatch(data);
      teacher.dispose();
      student.dispose();
      adv?.dispose();
      optimizer.dispose();
      advOptimizer.dispose();
    },
  };
}

/** One distillation step of a preset's student (with the adversary unless `adversary` is false), timed. */
export async function distillStep(preset: PresetName, steps: number, adversary = true): Promise<StepResult> {
  const before = tf.memory().numTensors;
  const d = distillTraining(preset, adversary);
  const ms = await timed(steps, d.step);
  d.dispose();
  return {
    workload: adversary ? `distill-${preset}` : `distill-${preset}-plain`,
    batch: d.batch,
    steps,
    imagesPerSecond: (1000 * d.batch) / ms,
    msPerStep: ms,
    tensorsBefore: before,
    tensorsAfter: tf.memory().numTensors,
  };
}

/** One training step of a preset's teacher on the labels, the run loop's own loss (cross-entropy, Adam). */
export function teacherTraining(preset: PresetName): { batch: number; step: () => Promise<void>; dispose: () => void } {
  return modelTraining(preset, EXPERIMENT_PRESETS[preset].teacherModel);
}

/** One training step of a model on the labels at a preset's image size, classes and batch. */
export function modelTraining(
  preset: PresetName,
  modelId: string,
  batchSize?: number,
): { batch: number; step: () => Promise<void>; stepKept: () => tf.Tensor; dispose: () => void } {
  const cfg = EXPERIMENT_PRESETS[preset];
  const size = cfg.dataset.size,
    classes = cfg.dataset.classes,
    batch = batchSize ?? cfg.batchSize;
  const model = buildModel(modelPreset(modelId), { inputSize: size, classes, seed: 1, name: 'm' });
  const optimizer = adam(cfg.learningRate);
  const vars = trainableVariables([model]);
  const x = tf.randomUniform([batch, size, size, 3], -1, 1, 'float32', 4) as tf.Tensor4D;
  const oneHot = cyclicOneHot(batch, classes);
  return {
    batch,
    async step() {
      const cost = optimizer.minimize(() => crossEntropy(forward(model, x, true)[0], oneHot), true, vars)!;
      await cost.data();
      cost.dispose();
    },
    /** A step whose loss is left on the device, unread (the caller reads it, as the lab does every 16 steps). */
    stepKept() {
      return optimizer.minimize(() => crossEntropy(forward(model, x, true)[0], oneHot), true, vars)!;
    },
    dispose() {
      tf.dispose([x, oneHot]);
      model.dispose();
      optimizer.dispose();
    },
  };
}

export async function teacherStep(preset: PresetName, steps: number): Promise<StepResult> {
  const before = tf.memory().numTensors;
  const t = teacherTraining(preset);
  const ms = await timed(steps, t.step);
  t.dispose();
  return {
    workload: `teacher-${preset}`,
    batch: t.batch,
    steps,
    imagesPerSecond: (1000 * t.batch) / ms,
    msPerStep: ms,
    tensorsBefore: before,
    tensorsAfter: tf.memory().numTensors,
  };
}

/** The same measurement as the results table's latency column (median of batches after a warm-up). */
export async function inferenceLatency(preset: PresetName, repeats: number, batch = 32): Promise<InferenceResult> {
  const cfg = EXPERIMENT_PRESETS[preset];
  const size = cfg.dataset.size,
    classes = cfg.dataset.classes;
  const msPerImage = async (id: string) => {
    const model = buildModel(modelPreset(id), { inputSize: size, classes, seed: 1, name: 'm' });
    try {
      return await latencyPerImage(model, size, batch, repeats);
    } finally {
      model.dispose();
    }
  };
  const teacherMsPerImage = await msPerImage(cfg.teacherModel);
  const studentMsPerImage = await msPerImage(cfg.studentModel);
  return { preset, teacherMsPerImage, studentMsPerImage, speedUp: teacherMsPerImage / studentMsPerImage };
}
