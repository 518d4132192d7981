import * as tf from '@tensorflow/tfjs';
import { adam } from '../kernels/fusedAdam';
import { batchRanges, BatchReader, disposeBatch } from '../data/batches';
import { indicesOf } from '../data/split';
import { crossEntropy } from '../distill/common';
import { buildModel, forward, modelPreset, trainableVariables } from '../models/efficientnet';
import { planRuns } from '../plan';
import { SPLIT, type BackendReport, type Dataset, type ExperimentConfig } from '../types';
import { estimateStepMemory, memoryLimit, memoryProblem } from './memoryEstimate';

/** How long a sweep should take on this backend, from steps timed here and now. */
export interface DurationEstimate {
  /** What a training step holds in memory, and why it cannot run here (then nothing was timed: seconds is NaN). */
  memory?: { bytes: number; problem: string | null };
  seconds: number;
  teacherStepMs: number;
  studentStepMs: number;
  stepsPerEpoch: number;
  models: number;
}

/** The median of `n` timed calls of `step` after one untimed warm-up call (kernels compile on first use). */
async function timed(step: () => Promise<void>, n = 3): Promise<number> {
  await step();
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await step();
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b)[Math.floor(n / 2)];
}

/**
 * Times a teacher training step, a student training step and a teacher forward pass on one batch of
 * the dataset, and scales them by the sweep's steps (teacher once, then every student, each reading
 * the teacher). Evaluation passes are counted as a tenth more. Every tensor made here is disposed.
 */
export async function estimateDuration(
  config: ExperimentConfig,
  data: Dataset,
  backend?: Pick<BackendReport, 'name' | 'adapter'>,
): Promise<DurationEstimate> {
  const train = indicesOf(data.split, SPLIT.train);
  const classes = data.classNames.length;
  const input = config.inputSize ?? data.size;
  const step = estimateStepMemory(config, input, classes);
  const problem = backend ? memoryProblem(step, memoryLimit(backend), !config.teacherImport) : null;
  const memory = { bytes: step.bytes, problem };
  // A step that cannot fit is not timed: it would fail, or push the page out of memory.
  if (problem) return { memory, seconds: NaN, teacherStepMs: NaN, studentStepMs: NaN, stepsPerEpoch: 0, models: 0 };
  const stepsPerEpoch = batchRanges(train.length, config.batchSize).length;
  const batch = await new BatchReader(data, input).batch(train, 0, Math.min(train.length, config.batchSize), classes);
  const opts = { inputSize: input, classes, seed: 1 };
  const teacher = buildModel(modelPreset(config.teacherModel), { ...opts, name: 'estimate_teacher' });
  const student = buildModel(modelPreset(config.studentModel), { ...opts, name: 'estimate_student' });
  // One optimizer per model: Adam keys its moments by variable name, and the two models share names.
  const optimizers = [adam(config.learningRate), adam(config.learningRate)];
  try {
    const trainStep = (model: tf.LayersModel, optimizer: tf.Optimizer) => {
      const vars = trainableVariables([model]);
      return async () => {
        const loss = optimizer.minimize(() => crossEntropy(forward(model, batch.x, true)[0], batch.oneHot), true, vars);
        await loss!.data();
        loss!.dispose();
      };
    };
    const teacherStepMs = await timed(trainStep(teacher, optimizers[0]));
    const studentStepMs = await timed(trainStep(student, optimizers[1]));
    const teacherForwardMs = await timed(async () => {
      const out = tf.tidy(() => forward(teacher, batch.x, false)[0]);
      await out.data();
      out.dispose();
    });
    const students = planRuns(config).length;
    const ms =
      stepsPerEpoch *
      (config.teacherEpochs * teacherStepMs + students * config.studentEpochs * (studentStepMs + teacherForwardMs));
    return { memory, seconds: (1.1 * ms) / 1000, teacherStepMs, studentStepMs, stepsPerEpoch, models: students + 1 };
  } finally {
    disposeBatch(batch);
    optimizers.forEach((o) => o.dispose());
    teacher.dispose();
    student.dispose();
  }
}
