import * as tf from '@tensorflow/tfjs';
import { batchRanges, disposeBatch, makeBatch } from './data/batches';
import { indicesOf } from './data/split';
import { crossEntropy } from './distill/common';
import { distillationStep } from './distillationStep';
import { method as getMethod, type DistillMethod, type MethodState } from './distill';
import { planRuns, validateExperiment, type StudentRun } from './plan';
import { buildAdversary, lambdaAt } from './models/adversary';
import { buildModel, forward, modelPreset, trainableVariables } from './models/efficientnet';
import { accuracy, classificationMetrics, confusionMatrix } from './metrics/classification';
import { latencyPerImage, modelSize } from './metrics/efficiency';
import { fairnessMetrics, groupShares } from './metrics/fairness';
import { createRng, permutation, subSeed } from './random';
import {
  restoreModels,
  restoreOptimizer,
  restoreVariables,
  saveModels,
  saveOptimizer,
  saveTensors,
  saveVariables,
  tensorsOf,
} from './runSnapshot';
import {
  SPLIT,
  type BackendReport,
  type Curve,
  type Dataset,
  type ExperimentConfig,
  type ExperimentResult,
  type LabEvent,
  type ModelResult,
  type Phase,
  type RunFailure,
  type RunSnapshot,
  type SweepProgress,
} from './types';

/**
 * The run loop: train the teacher once, then distill one student per (method, λ), evaluating
 * every model on the held-out test split. Model selection (best epoch) uses the validation split
 * only. Emits typed events; stops between steps when asked; every tensor it makes is disposed.
 */

export class CancelledError extends Error {
  constructor() {
    super('Cancelled');
    this.name = 'CancelledError';
  }
}

export class NumericalError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NumericalError';
  }
}

export interface ExperimentHooks {
  emit(event: LabEvent): void;
  shouldStop?(): boolean;
  /** Loads an imported teacher (config.teacherImport.key); the page's worker reads IndexedDB. */
  loadTeacher?(key: string): Promise<tf.LayersModel>;
  /** At the start, after the teacher and after each student: what a resumed sweep would keep. */
  onCheckpoint?(state: SweepProgress): Promise<void> | void;
  /** After every epoch: the model in training, to go on from there (only built when this is set). */
  onRunSnapshot?(snapshot: RunSnapshot): Promise<void> | void;
  /** Called with each trained model (best weights restored); may save it and return where. */
  onModel?(role: ModelResult['role'], label: string, model: tf.LayersModel): Promise<string | void> | string | void;
  /** Returns control to the event loop between steps, so cancel messages are seen. */
  yieldNow?(): Promise<void>;
}

export { planRuns, validateExperiment, type StudentRun } from './plan';

interface Progress {
  done: number;
  total: number;
  started: number;
  /** Steps done before this session (a resumed sweep): left out of the ETA's speed. */
  doneAtStart: number;
}

const defaultYield = () => new Promise<void>((r) => setTimeout(r, 0));

class Runner {
  readonly classes: number;
  readonly train: Int32Array;
  readonly val: Int32Array;
  readonly test: Int32Array;
  readonly ranges: [number, number][];
  /** Training-split group share of each class, for bias amplification (the same for every model). */
  readonly trainShares: number[][];
  private progress: Progress;
  private runIndex = 0;

  constructor(
    readonly config: ExperimentConfig,
    readonly data: Dataset,
    readonly hooks: ExperimentHooks,
    readonly runs: StudentRun[],
  ) {
    this.classes = data.classNames.length;
    this.train = indicesOf(data.split, SPLIT.train);
    this.val = indicesOf(data.split, SPLIT.val);
    this.test = indicesOf(data.split, SPLIT.test);
    if (this.train.length < 2 || this.test.length < 1)
      throw new Error('The dataset needs at least two training and one test example.');
    this.ranges = batchRanges(this.train.length, config.batchSize);
    this.trainShares = groupShares(data.labels, data.groups, this.classes, this.train);
    const steps = this.ranges.length;
    this.progress = {
      done: 0,
      doneAtStart: 0,
      total: steps * (config.teacherEpochs + runs.length * config.studentEpochs),
      started: Date.now(),
    };
  }

  /** A student a resumed sweep had finished: counted, not trained. */
  skipRun(): void {
    this.runIndex++;
    this.skipSteps(this.config.studentEpochs);
  }

  /** Counts steps a resumed sweep does not redo (finished models, finished epochs). */
  skipSteps(epochs: number): void {
    this.progress.done += epochs * this.ranges.length;
    this.progress.doneAtStart = this.progress.done;
  }

  private async checkpoint(): Promise<void> {
    await (this.hooks.yieldNow ?? defaultYield)();
    if (this.hooks.shouldStop?.()) throw new CancelledError();
  }

  private emitProgress(phase: Phase, runLabel: string, epoch: number, epochs: number, step: number) {
    this.progress.done++;
    const { done, total, started, doneAtStart } = this.progress;
    const elapsed = (Date.now() - started) / 1000;
    const here = done - doneAtStart;
    this.hooks.emit({
      type: 'progress',
      phase,
      runLabel,
      run: this.runIndex,
      runs: this.runs.length + 1,
      epoch,
      epochs,
      step,
      steps: this.ranges.length,
      fraction: done / total,
      etaSeconds: here > 0 ? (elapsed / here) * (total - done) : null,
    });
  }

  /** Seeded epoch order, the same for every student so methods see the same batches. */
  private order(epoch: number, salt: string): Int32Array {
    const perm = permutation(this.train.length, createRng(subSeed(this.config.seed, `${salt}:${epoch}`)));
    return perm.map((p) => this.train[p]);
  }

  async predict(model: tf.LayersModel, indices: Int32Array): Promise<Int32Array> {
    const preds = new Int32Array(indices.length);
    const bs = Math.max(this.config.batchSize, 64);
    for (let s = 0; s < indices.length; s += bs) {
      const e = Math.min(indices.length, s + bs);
      const batch = makeBatch(this.data, indices, s, e, this.classes);
      const arg = tf.tidy(() => tf.argMax(forward(model, batch.x, false)[0], 1));
      preds.set((await arg.data()), s);
      arg.dispose();
      disposeBatch(batch);
    }
    return preds;
  }

  async valAccuracy(model: tf.LayersModel): Promise<number> {
    const idx = this.val.length ? this.val : this.train;
    const preds = await this.predict(model, idx);
    return accuracy(
      Array.from(idx, (i) => this.data.labels[i]),
      preds,
    );
  }

  /** Mean teacher embedding per class over the training split, [K, D]. */
  async teacherClassMeans(teacher: tf.LayersModel): Promise<tf.Tensor2D> {
    const dim = teacher.outputs[1].shape[1] as number;
    const sums = new Float64Array(this.classes * dim);
    const counts = new Float64Array(this.classes);
    for (let s = 0; s < this.train.length; s += 128) {
      const e = Math.min(this.train.length, s + 128);
      const batch = makeBatch(this.data, this.train, s, e, this.classes);
      const emb = tf.tidy(() => forward(teacher, batch.x, false)[1]);
      const v = await emb.data();
      emb.dispose();
      disposeBatch(batch);
      for (let j = 0; j < e - s; j++) {
        const y = this.data.labels[this.train[s + j]];
        counts[y]++;
        for (let d = 0; d < dim; d++) sums[y * dim + d] += v[j * dim + d];
      }
    }
    const means = new Float32Array(this.classes * dim);
    for (let k = 0; k < this.classes; k++)
      for (let d = 0; d < dim; d++) means[k * dim + d] = counts[k] ? sums[k * dim + d] / counts[k] : 0;
    return tf.tensor2d(means, [this.classes, dim]);
  }

  async evaluate(model: tf.LayersModel, base: Omit<ModelResult, 'test' | 'fairness' | 'size'>): Promise<ModelResult> {
    const preds = await this.predict(model, this.test);
    const labels = Array.from(this.test, (i) => this.data.labels[i]);
    const groups = Array.from(this.test, (i) => this.data.groups[i]);
    const test = classificationMetrics(confusionMatrix(labels, preds, this.classes));
    const fairness = fairnessMetrics(labels, preds, groups, this.classes, {
      trainShares: this.trainShares,
      resamples: 200,
      seed: subSeed(this.config.seed, 'bootstrap'),
    });
    const size = { ...modelSize(model), latencyMs: await latencyPerImage(model, this.data.size) };
    return { ...base, test, fairness, size };
  }

  /** Keeps a copy of the best weights by validation accuracy; restores them at the end. */
  private bestKeeper(model: tf.LayersModel) {
    let best = -1;
    let weights: tf.Tensor[] | null = null;
    return {
      save: async (): Promise<RunSnapshot['best']> =>
        weights
          ? {
              accuracy: best,
              weights: await saveTensors(weights.map((w, i) => ({ name: model.weights[i].name, tensor: w }))),
            }
          : null,
      load: (saved: RunSnapshot['best']) => {
        if (!saved) return;
        best = saved.accuracy;
        weights = tensorsOf(saved.weights);
      },
      offer: (acc: number) => {
        if (acc <= best) return;
        best = acc;
        if (weights) tf.dispose(weights);
        weights = model.getWeights().map((w) => tf.clone(w));
      },
      restore: () => {
        if (weights) {
          model.setWeights(weights);
          tf.dispose(weights);
          weights = null;
        }
      },
      dispose: () => {
        if (weights) tf.dispose(weights);
        weights = null;
      },
    };
  }

  /** Reads the step's loss terms; a NaN/Inf one stops the run, named with the step, the term and `lastGood` (what a resume would start from). */
  async readTerms(
    terms: Record<string, tf.Scalar>,
    step: number,
    label: string,
    curve: Curve,
  ): Promise<Record<string, number>> {
    const names = Object.keys(terms);
    const out: Record<string, number> = {};
    try {
      const values = await Promise.all(names.map((n) => terms[n].data()));
      names.forEach((n, i) => {
        out[n] = values[i][0];
      });
    } finally {
      tf.dispose(Object.values(terms)); // also when the check below throws
    }
    for (const n of names) {
      if (!Number.isFinite(out[n]))
        throw new NumericalError(
          `${label}: the ${n} loss became ${out[n]} at step ${step}. ${lastGoodCheckpoint(curve, this.ranges.length)} Lower the learning rate or the loss weights.`,
        );
    }
    return out;
  }

  /** Puts a model's training back where a snapshot left it; returns the first epoch still to run. */
  private async restore(
    snap: RunSnapshot,
    t: {
      models: tf.LayersModel[];
      optimizer: tf.Optimizer;
      vars: tf.Variable[];
      keeper: ReturnType<Runner['bestKeeper']>;
      curve: Curve;
      valAccuracy: number[];
    },
  ): Promise<number> {
    restoreModels(t.models, snap.model, snap.label);
    await restoreOptimizer(t.optimizer, snap.optimizer, t.vars);
    t.keeper.load(snap.best);
    t.curve.push(...snap.curve);
    t.valAccuracy.push(...snap.valAccuracy);
    this.skipSteps(snap.epoch);
    this.hooks.emit({
      type: 'stage',
      message: `${snap.label}: going on from epoch ${snap.epoch + 1} (epochs 1–${snap.epoch} restored from the checkpoint)`,
    });
    for (const p of snap.curve)
      this.hooks.emit({
        type: 'loss',
        runLabel: snap.label,
        phase: snap.label === 'Teacher' ? 'teacher' : 'student',
        step: p.step,
        epoch: p.epoch,
        terms: p.terms,
      });
    return snap.epoch + 1;
  }

  async trainTeacher(resume?: RunSnapshot): Promise<{ model: tf.LayersModel; result: ModelResult }> {
    const { config, data } = this;
    const model = buildModel(modelPreset(config.teacherModel), {
      inputSize: data.size,
      classes: this.classes,
      seed: subSeed(config.seed, 'teacher'),
      name: 'teacher',
    });
    const label = 'Teacher';
    const curve: Curve = [];
    const valAccuracy: number[] = [];
    const keeper = this.bestKeeper(model);
    const optimizer = makeOptimizer(config);
    const vars = trainableVariables([model]);
    let t0 = Date.now();
    try {
      const first = resume
        ? await this.restore(resume, { models: [model], optimizer, vars, keeper, curve, valAccuracy })
        : 1;
      if (resume) t0 -= resume.trainSeconds * 1000;
      for (let epoch = first; epoch <= config.teacherEpochs; epoch++) {
        const order = this.order(epoch, 'teacher');
        for (let s = 0; s < this.ranges.length; s++) {
          const [a, b] = this.ranges[s];
          const batch = makeBatch(data, order, a, b, this.classes);
          let ce: tf.Scalar | undefined;
          optimizer.minimize(
            () => {
              const [logits] = forward(model, batch.x, true);
              const loss = crossEntropy(logits, batch.oneHot);
              ce = tf.keep(tf.clone(loss));
              return loss;
            },
            false,
            vars,
          );
          disposeBatch(batch);
          const step = curve.length + 1;
          const terms = await this.readTerms({ CE: ce! }, step, label, curve);
          curve.push({ step, epoch, terms });
          this.hooks.emit({ type: 'loss', runLabel: label, phase: 'teacher', step, epoch, terms });
          this.emitProgress('teacher', label, epoch, config.teacherEpochs, s + 1);
          await this.checkpoint();
        }
        const acc = await this.valAccuracy(model);
        valAccuracy.push(acc);
        keeper.offer(acc);
        this.hooks.emit({ type: 'epoch', runLabel: label, phase: 'teacher', epoch, valAccuracy: acc });
        if (this.hooks.onRunSnapshot) {
          await this.hooks.onRunSnapshot({
            label,
            epoch,
            epochs: config.teacherEpochs,
            model: await saveModels([model]),
            optimizer: await saveOptimizer(optimizer),
            method: [],
            best: await keeper.save(),
            curve: curve.slice(),
            valAccuracy: valAccuracy.slice(),
            trainSeconds: (Date.now() - t0) / 1000,
          });
        }
      }
      keeper.restore();
    } catch (e) {
      model.dispose();
      throw e;
    } finally {
      keeper.dispose();
      optimizer.dispose();
    }
    const result = await this.evaluate(model, {
      role: 'teacher',
      label,
      model: config.teacherModel,
      method: 'none',
      lambda: 0,
      valAccuracy,
      curve,
      trainSeconds: (Date.now() - t0) / 1000,
    });
    return { model, result };
  }

  async trainStudent(
    teacher: tf.LayersModel,
    run: StudentRun,
    classMeans: () => Promise<tf.Tensor2D>,
    resume?: RunSnapshot,
  ): Promise<ModelResult> {
    const { config, data } = this;
    this.runIndex++;
    const def: DistillMethod = getMethod(run.method);
    const student = buildModel(modelPreset(config.studentModel), {
      inputSize: data.size,
      classes: this.classes,
      seed: subSeed(config.seed, 'student'),
      name: 'student',
    });
    const studentDim = student.outputs[1].shape[1] as number;
    const teacherDim = teacher.outputs[1].shape[1] as number;
    const means = def.needsClassMeans ? await classMeans() : undefined;
    let state: MethodState | undefined;
    const adversary =
      run.lambda > 0
        ? buildAdversary(
            this.classes,
            config.debias.hidden,
            config.debias.equalizedOdds,
            subSeed(config.seed, 'adversary'),
          )
        : undefined;
    const optimizer = makeOptimizer(config);
    const advOptimizer = adversary ? tf.train.adam(config.debias.adversaryLr) : undefined;
    const keeper = this.bestKeeper(student);
    const curve: Curve = [];
    const valAccuracy: number[] = [];
    let t0 = Date.now();
    try {
      state = def.setup?.({
        params: run.params,
        studentDim,
        teacherDim,
        classes: this.classes,
        seed: subSeed(config.seed, 'method'),
        teacherClassMeans: means ? () => tf.clone(means) : undefined,
      });
      const extraModels = state?.trainableModels ?? [];
      const methodVars = state?.variables ?? [];
      const vars = [...trainableVariables([student, ...extraModels]), ...methodVars];
      const advVars = adversary ? trainableVariables([adversary]) : [];
      let first = 1;
      if (resume) {
        if (Boolean(resume.adversary) !== Boolean(adversary))
          throw new Error(`The checkpoint of ${run.label} does not match its debiasing setting.`);
        first = await this.restore(resume, { models: [student], optimizer, vars, keeper, curve, valAccuracy });
        const methodSaved = resume.method;
        restoreVariables(methodVars, methodSaved.slice(0, methodVars.length), `${run.label} method`);
        restoreModels(extraModels, methodSaved.slice(methodVars.length), `${run.label} method`);
        if (adversary && resume.adversary) {
          restoreModels([adversary], resume.adversary.model, `${run.label} adversary`);
          await restoreOptimizer(advOptimizer!, resume.adversary.optimizer, advVars);
        }
        t0 -= resume.trainSeconds * 1000;
      }
      for (let epoch = first; epoch <= config.studentEpochs; epoch++) {
        state?.beforeEpoch?.(epoch);
        const lambda = lambdaAt(
          run.lambda,
          epoch,
          config.studentEpochs,
          config.debias.warmupEpochs,
          config.debias.schedule,
        );
        const order = this.order(epoch, 'student');
        for (let s = 0; s < this.ranges.length; s++) {
          const [a, b] = this.ranges[s];
          const batch = makeBatch(data, order, a, b, this.classes);
          const terms = await distillationStep(config.debias, {
            student,
            teacher,
            def,
            run,
            state,
            adversary,
            optimizer,
            advOptimizer,
            vars,
            advVars,
            batch,
            epoch,
            lambda,
          });
          disposeBatch(batch);
          const step = curve.length + 1;
          const values = await this.readTerms(terms, step, run.label, curve);
          // The debiasing weight in force at this step, on the curves of runs that have an adversary.
          if (adversary) values.λ = lambda;
          curve.push({ step, epoch, terms: values });
          this.hooks.emit({ type: 'loss', runLabel: run.label, phase: 'student', step, epoch, terms: values });
          this.emitProgress('student', run.label, epoch, config.studentEpochs, s + 1);
          await this.checkpoint();
        }
        const acc = await this.valAccuracy(student);
        valAccuracy.push(acc);
        keeper.offer(acc);
        this.hooks.emit({ type: 'epoch', runLabel: run.label, phase: 'student', epoch, valAccuracy: acc });
        if (this.hooks.onRunSnapshot) {
          await this.hooks.onRunSnapshot({
            label: run.label,
            epoch,
            epochs: config.studentEpochs,
            model: await saveModels([student]),
            optimizer: await saveOptimizer(optimizer),
            method: [...(await saveVariables(methodVars)), ...(await saveModels(extraModels))],
            ...(adversary
              ? { adversary: { model: await saveModels([adversary]), optimizer: await saveOptimizer(advOptimizer!) } }
              : {}),
            best: await keeper.save(),
            curve: curve.slice(),
            valAccuracy: valAccuracy.slice(),
            trainSeconds: (Date.now() - t0) / 1000,
          });
        }
      }
      keeper.restore();
      const result = await this.evaluate(student, {
        role: run.role,
        label: run.label,
        model: config.studentModel,
        method: run.method,
        lambda: run.lambda,
        valAccuracy,
        curve,
        trainSeconds: (Date.now() - t0) / 1000,
      });
      const key = await this.hooks.onModel?.(run.role, run.label, student);
      return key ? { ...result, modelKey: key } : result;
    } finally {
      keeper.dispose();
      state?.dispose();
      means?.dispose();
      adversary?.dispose();
      optimizer.dispose();
      advOptimizer?.dispose();
      student.dispose();
    }
  }
}

/** The last epoch a run finished with finite losses: its epoch checkpoint, the point a resume would start from. */
export function lastGoodCheckpoint(curve: Curve, stepsPerEpoch: number): string {
  const epochs = Math.floor(curve.length / stepsPerEpoch);
  return epochs > 0
    ? `Its last good checkpoint is the end of epoch ${epochs} (step ${epochs * stepsPerEpoch}).`
    : 'It diverged in its first epoch, before any checkpoint.';
}

/** Why a model cannot be this dataset's teacher (input or class count), or null. */
export function teacherMismatch(model: tf.LayersModel, size: number, classes: number): string | null {
  const input = model.inputs[0]?.shape ?? [];
  if (input.length !== 4 || input[1] !== size || input[2] !== size || input[3] !== 3)
    return `it reads ${JSON.stringify(input.slice(1))} images; the dataset has ${size}×${size}×3.`;
  const out = model.outputs[0]?.shape ?? [];
  if (out.length !== 2 || out[1] !== classes)
    return `its first output has ${String(out[1])} classes; the dataset has ${classes}.`;
  return null;
}

/** Adam by default; plain SGD on request (it diverges visibly at a too-large learning rate). */
function makeOptimizer(config: ExperimentConfig): tf.Optimizer {
  return config.optimizer === 'sgd' ? tf.train.sgd(config.learningRate) : tf.train.adam(config.learningRate);
}

/** What an interrupted sweep left: its teacher (once trained), the students it finished, the model it was training. */
export interface ResumeFrom {
  /** The trained teacher and its result; absent when the sweep stopped during the teacher's training. */
  teacher?: tf.LayersModel;
  teacherResult?: ModelResult;
  students: ModelResult[];
  failures?: RunFailure[];
  startedAt: string;
  /** The model that was training, as of its last finished epoch. */
  inProgress?: RunSnapshot;
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
  if (resume && Boolean(resume.teacher) !== Boolean(resume.teacherResult))
    throw new Error('A resumed sweep needs both its teacher model and its teacher result.');
  const started = resume ? new Date(resume.startedAt) : new Date();
  const runs = planRuns(config);
  const runner = new Runner(config, data, hooks, runs);
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
    runner.skipSteps(config.teacherEpochs);
  } else if (config.teacherImport) {
    if (!hooks.loadTeacher) throw new Error('This runner cannot load an imported teacher.');
    hooks.emit({ type: 'stage', message: `Measuring the imported teacher ${config.teacherImport.name}` });
    teacher = await hooks.loadTeacher(config.teacherImport.key);
    const problem = teacherMismatch(teacher, data.size, runner.classes);
    if (problem) {
      teacher.dispose();
      throw new Error(`The imported teacher ${config.teacherImport.name} does not fit this dataset: ${problem}`);
    }
    try {
      teacherResult = await runner.evaluate(teacher, {
        role: 'teacher',
        label: `Teacher (${config.teacherImport.name})`,
        model: config.teacherImport.name,
        method: 'none',
        lambda: 0,
        valAccuracy: [await runner.valAccuracy(teacher)],
        curve: [],
        trainSeconds: 0,
      });
    } catch (e) {
      teacher.dispose(); // a model that cannot run on these images (a bad layer, a lost device) is not kept
      throw e;
    }
    teacherResult = { ...teacherResult, modelKey: config.teacherImport.key };
  } else {
    // The sweep is on record before its longest part, so a reload during the teacher can resume it.
    if (!resume) await hooks.onCheckpoint?.({ teacher: null, students, failures, startedAt: started.toISOString() });
    hooks.emit({
      type: 'stage',
      message: `Training the teacher (${modelPreset(config.teacherModel).label}) on ${runner.train.length} images`,
    });
    const trained = await runner.trainTeacher(inProgress?.label === 'Teacher' ? inProgress : undefined);
    teacher = trained.model;
    teacherResult = trained.result;
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
      means ??= await runner.teacherClassMeans(teacher);
      return tf.clone(means);
    };
    for (const run of runs) {
      if (finished.has(run.label)) {
        runner.skipRun();
        continue;
      } // done before the interruption: never redone
      hooks.emit({ type: 'stage', message: `Distilling: ${run.label}` });
      try {
        const r = await runner.trainStudent(
          teacher,
          run,
          classMeans,
          inProgress?.label === run.label ? inProgress : undefined,
        );
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
  const result: ExperimentResult = {
    config,
    backend,
    dataset: {
      key: data.key,
      name: data.name,
      count: data.count,
      train: runner.train.length,
      val: runner.val.length,
      test: runner.test.length,
      classNames: data.classNames,
      groupNames: data.groupNames,
      fromCache,
    },
    teacher: teacherResult,
    students: runs.flatMap((r) => students.filter((s) => s.label === r.label)),
    ...(failures.length ? { failures } : {}),
    startedAt: started.toISOString(),
    seconds: (Date.now() - started.getTime()) / 1000,
  };
  hooks.emit({ type: 'done', result });
  return result;
}
