/**
 * The bench's workloads, shared by the Node bench (bench/bench.ts) and the browser page
 * (bench/browser/main.ts) so that every backend runs the very same code:
 *   - reference: the small CNN of bench/referenceCnn.ts (mirrored in bench/reference_cnn.py);
 *   - distill:   one distillation step of a lab preset (teacher forward + student forward/backward
 *                with classic KD and gradient reversal + adversary update);
 *   - inference: teacher and student latency per image (median of repeated batches after warm-up).
 */
import * as tf from '@tensorflow/tfjs';
import { classicKD } from '../src/engine/distill/kd';
import { withDefaults } from '../src/engine/distill/method';
import { adversaryInput, adversaryLoss, buildAdversary } from '../src/engine/models/adversary';
import { latencyPerImage } from '../src/engine/metrics/efficiency';
import { buildModel, forward, modelPreset, trainableVariables } from '../src/engine/models/efficientnet';
import { EXPERIMENT_PRESETS, type PresetName } from '../src/engine/presets';
import { buildReferenceCnn, REFERENCE_CNN } from './referenceCnn';

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
  return { workload: 'reference-cnn', batch, steps, imagesPerSecond: (1000 * batch) / ms, msPerStep: ms, tensorsBefore: before, tensorsAfter: tf.memory().numTensors };
}

export async function distillStep(preset: PresetName, steps: number): Promise<StepResult> {
  const cfg = EXPERIMENT_PRESETS[preset];
  const size = cfg.dataset.size, classes = cfg.dataset.classes, batch = cfg.batchSize;
  const before = tf.memory().numTensors;
  const teacher = buildModel(modelPreset(cfg.teacherModel), { inputSize: size, classes, seed: 1, name: 'teacher' });
  const student = buildModel(modelPreset(cfg.studentModel), { inputSize: size, classes, seed: 2, name: 'student' });
  const adversary = buildAdversary(classes, 32, false, 3);
  const opt = tf.train.adam(1e-3);
  const advOpt = tf.train.adam(1e-3);
  const x = tf.randomUniform([batch, size, size, 3], -1, 1, 'float32', 4) as tf.Tensor4D;
  const labels = tf.tensor1d(Array.from({ length: batch }, (_, i) => i % classes), 'int32');
  const oneHot = tf.tidy(() => tf.oneHot(labels, classes).toFloat() as tf.Tensor2D);
  const groups = tf.tensor1d(Array.from({ length: batch }, (_, i) => i % 2));
  const mask = tf.ones([batch]) as tf.Tensor1D;
  const params = withDefaults(classicKD);
  const vars = trainableVariables([student]);
  const advVars = trainableVariables([adversary]);
  const step = async () => {
    const t = tf.tidy(() => { const [logits, embedding] = forward(teacher, x, false); return { logits, embedding }; });
    let probs: tf.Tensor2D | undefined;
    const cost = opt.minimize(() => {
      const [logits, embedding] = forward(student, x, true);
      const kd = classicKD.loss({ studentLogits: logits, studentEmbedding: embedding, teacher: t, labels, oneHot, epoch: 1 }, params, undefined).total;
      const p = tf.softmax(logits) as tf.Tensor2D;
      probs = tf.keep(tf.clone(p));
      return tf.sub(kd, tf.mul(0.5, adversaryLoss(adversary.apply(adversaryInput(p, oneHot, false)) as tf.Tensor2D, groups, mask))) as tf.Scalar;
    }, true, vars)!;
    advOpt.minimize(() => adversaryLoss(adversary.apply(probs!) as tf.Tensor2D, groups, mask), false, advVars);
    await cost.data();
    tf.dispose([cost, probs!, t.logits, t.embedding]);
  };
  const ms = await timed(steps, step);
  tf.dispose([x, labels, oneHot, groups, mask]);
  teacher.dispose(); student.dispose(); adversary.dispose(); opt.dispose(); advOpt.dispose();
  return { workload: `distill-${preset}`, batch, steps, imagesPerSecond: (1000 * batch) / ms, msPerStep: ms, tensorsBefore: before, tensorsAfter: tf.memory().numTensors };
}

/** The same measurement as the results table's latency column (median of batches after a warm-up). */
export async function inferenceLatency(preset: PresetName, repeats: number, batch = 32): Promise<InferenceResult> {
  const cfg = EXPERIMENT_PRESETS[preset];
  const size = cfg.dataset.size, classes = cfg.dataset.classes;
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
