import type { PretrainedWeights } from './pretrained';
import { estimateStepMemory, memoryLimit, memoryProblem } from './memoryEstimate';
import * as tf from '@tensorflow/tfjs';
import { batchRanges } from '../data/batches';
import { pairedIntervals } from '../metrics/comparisons';
import { recommendations } from '../metrics/recommendation';
import { planRuns, validateExperiment, type StudentRun } from '../plan';
import { modelPreset } from '../models/efficientnet';
import type {
  BackendReport,
  Dataset,
  ExperimentConfig,
  ExperimentResult,
  ModelResult,
  RunFailure,
  SweepProgress,
} from '../types';
import { EpochLoop, type LoopHooks } from './epochLoop';
import { NumericalError } from './errors';
import { Evaluation } from './evaluation';
import { importedTeacher } from './importedTeacher';
import { ProgressMeter } from './progressMeter';
import type { ResumeFrom } from './resume';
import { trainStudent } from './trainStudent';
import { trainTeacher } from './trainTeacher';

/**
 * A sweep: train the teacher once, then distill one student per (method, λ), evaluating every model
 * on the held-out test split. Model selection (best epoch) uses the validation split only. Emits
 * typed events; stops between steps when asked; every tensor it makes is disposed.
 */

export interface ExperimentHooks extends LoopHooks {
  /** Loads an imported teacher (config.teacherImport.key); the page's worker reads IndexedDB. */
  loadTeacher?(key: string): Promise<tf.LayersModel>;
  /** The weight files config.pretrained names, read (the runner from disk, the page from storage). */
  weights?: PretrainedWeights;
  /** At the start, after the teacher and after each student: what a resumed sweep would keep. */
  onCheckpoint?(state: SweepProgress): Promise<void> | void;
  /** Called with each trained model (best weights restored); may save it and return where. */
  onModel?(
    role: ModelResult['role'],
    label: string,
    model: tf.LayersModel,
  ): Promise<string | undefined> | string | undefined;
}

export { CancelledError, NumericalError, lastGoodCheckpoint } from './errors';
export type { ResumeFrom } from './resume';
export { teacherMismatch } from './importedTeacher';
export { planRuns, validateExperiment, type StudentRun } from '../plan';

/** The students in plan order, each with its paired intervals against the teacher and its λ = 0 run. */
export function withPairedIntervals(
  evaluation: Evaluation,
  teacher: ModelResult,
  runs: StudentRun[],
  students: ModelResult[],
): ModelResult[] {
  const ordered = runs.flatMap((r) => students.filter((s) => s.label === r.label));
  const intervals = pairedIntervals(evaluation.testLabels(), teacher, ordered, evaluation.bootstrapSeed);
  return ordered.map((s) => ({ ...s, ...intervals.get(s.label) }));
}

export async function runExperiment(
  config: ExperimentConfig,
  data: Dataset,
  backend: BackendReport,
  hooks: ExperimentHooks,
  fromCache = false,
  resume?: ResumeFrom,
): Promise<ExperimentResult> {
  const errors = validateExperiment(config);
  if (errors.length) throw new Error(errors.join(' '));
  if (config.augment === 'crop+flip' && data.config.kind === 'synthetic')
    throw new Error(
      'Augmentation (crop+flip) is for photos: the built-in data places its cues and draws its counterfactual twins pixel by pixel, and a crop would break both. Use it with a folder or WIDER copy.',
    );
  if (config.inputSize !== undefined && config.inputSize !== data.size) {
    if (data.config.kind === 'synthetic')
      throw new Error(
        `An input size (${config.inputSize}) below the stored size is for photos: the built-in data's cues sit at its edges, which a center crop would cut. Use it with a folder or WIDER copy.`,
      );
    if (config.inputSize > data.size)
      throw new Error(
        `The input size ${config.inputSize} is above the stored images' ${data.size} px: prepare the photos at ${config.inputSize} px or more (--image-size), or take a smaller input size.`,
      );
  }
  // A step that cannot fit the backend is refused now, with the batch size that fits, not after an epoch.
  const memory = memoryProblem(
    estimateStepMemory(config, config.inputSize ?? data.size, data.classNames.length),
    memoryLimit(backend),
    !config.teacherImport,
  );
  if (memory) throw new Error(memory);
  if (resume && Boolean(resume.teacher) !== Boolean(resume.teacherResult))
    throw new Error('A resumed sweep needs both its teacher model and its teacher result.');
  const started = resume ? new Date(resume.startedAt) : new Date();
  const runs = planRuns(config);
  const evaluation = new Evaluation(data, config.batchSize, config.seed, config.inputSize);
  const stepsPerEpoch = batchRanges(evaluation.train.length, config.batchSize).length;
  const progress = new ProgressMeter(
    stepsPerEpoch * (config.teacherEpochs + runs.length * config.studentEpochs),
    stepsPerEpoch,
    runs.length + 1,
  );
  const loop = new EpochLoop(config, evaluation, hooks, progress);
  const students: ModelResult[] = [...(resume?.students ?? [])];
  const failures: RunFailure[] = [...(resume?.failures ?? [])];
  const finished = new Set([...students.map((s) => s.label), ...failures.map((f) => f.label)]);
  // A snapshot of a model that finished after it was written is stale: that model is not retrained.
  const inProgress =
    resume?.inProgress &&
    !finished.has(resume.inProgress.label) &&
    !(resume.teacher && resume.inProgress.label === 'Teacher')
      ? resume.inProgress
      : undefined;
  let teacher: tf.LayersModel;
  let teacherResult: ModelResult;
  const resumedTeacher = Boolean(resume?.teacher && resume.teacherResult);
  if (resume?.teacher && resume.teacherResult) {
    teacher = resume.teacher;
    teacherResult = resume.teacherResult;
    progress.skipEpochs(config.teacherEpochs);
  } else if (config.teacherImport) {
    ({ model: teacher, result: teacherResult } = await importedTeacher(config, evaluation, hooks));
  } else {
    // The sweep is on record before its longest part, so a reload during the teacher can resume it.
    if (!resume) await hooks.onCheckpoint?.({ teacher: null, students, failures, startedAt: started.toISOString() });
    hooks.emit({
      type: 'stage',
      message: `Training the teacher (${modelPreset(config.teacherModel).label}) on ${evaluation.train.length} images`,
    });
    ({ model: teacher, result: teacherResult } = await trainTeacher(
      config,
      evaluation,
      loop,
      inProgress?.label === 'Teacher' ? inProgress : undefined,
      hooks.weights,
    ));
  }
  let means: tf.Tensor2D | undefined;
  const checkpoint = () =>
    hooks.onCheckpoint?.({ teacher: teacherResult, students, failures, startedAt: started.toISOString() });
  try {
    if (resumedTeacher) {
      hooks.emit({ type: 'stage', message: `Resuming: ${finished.size} of ${runs.length} students were already done` });
    } else if (!config.teacherImport) {
      const key = await hooks.onModel?.('teacher', 'Teacher', teacher);
      if (key) teacherResult = { ...teacherResult, modelKey: key };
    }
    hooks.emit({ type: 'result', result: teacherResult });
    for (const s of students) hooks.emit({ type: 'result', result: s });
    await checkpoint();
    const classMeans = async () => {
      means ??= await evaluation.teacherClassMeans(teacher);
      return tf.clone(means);
    };
    for (const run of runs) {
      progress.run++;
      if (finished.has(run.label)) {
        progress.skipEpochs(config.studentEpochs); // done before the interruption: never redone
        continue;
      }
      // The labels-only student learns from the labels alone: it is trained, not distilled.
      hooks.emit({
        type: 'stage',
        message: run.role === 'baseline' ? `Training: ${run.label} (no teacher)` : `Distilling: ${run.label}`,
      });
      // A model resumed from its snapshot gets no step-0 event: the loop's first step after the restored
      // epochs names it, with the progress those epochs count for.
      if (inProgress?.label !== run.label) hooks.emit(progress.start('student', run.label, config.studentEpochs));
      try {
        const { student, ...result } = await trainStudent(
          config,
          evaluation,
          loop,
          teacher,
          run,
          classMeans,
          inProgress?.label === run.label ? inProgress : undefined,
          hooks.weights,
        );
        let r: ModelResult = result;
        try {
          const key = await hooks.onModel?.(run.role, run.label, student);
          if (key) r = { ...result, modelKey: key };
        } finally {
          student.dispose();
        }
        students.push(r);
        hooks.emit({ type: 'result', result: r });
      } catch (e) {
        // A student that diverges costs that run only: the teacher and the rest of the sweep go on.
        if (!(e instanceof NumericalError)) throw e;
        failures.push({ label: run.label, message: e.message });
        hooks.emit({ type: 'runFailed', label: run.label, message: e.message });
      }
      await checkpoint();
    }
  } finally {
    means?.dispose();
    teacher.dispose();
  }
  const ordered = withPairedIntervals(evaluation, teacherResult, runs, students);
  const result: ExperimentResult = {
    config,
    backend,
    dataset: {
      key: data.key,
      name: data.name,
      count: data.count,
      train: evaluation.train.length,
      val: evaluation.val.length,
      test: evaluation.test.length,
      classNames: data.classNames,
      groupNames: data.groupNames,
      fromCache,
    },
    teacher: teacherResult,
    students: ordered,
    ...(failures.length ? { failures } : {}),
    recommendations: recommendations(ordered),
    startedAt: started.toISOString(),
    seconds: (Date.now() - started.getTime()) / 1000,
  };
  hooks.emit({ type: 'done', result });
  return result;
}
