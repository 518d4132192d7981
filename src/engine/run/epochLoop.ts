import * as tf from '@tensorflow/tfjs';
import { batchRanges, disposeBatch, makeBatch, type Batch } from '../data/batches';
import { createRng, permutation, subSeed } from '../random';
import type { Curve, ExperimentConfig, LabEvent, Phase, RunSnapshot } from '../types';
import { BestWeights } from './bestWeights';
import { CancelledError, lastGoodCheckpoint, NumericalError } from './errors';
import type { Evaluation } from './evaluation';
import type { ProgressMeter } from './progressMeter';
import { restoreModels, restoreOptimizer, saveModels, saveOptimizer } from './runSnapshot';

/** What the loop needs from the sweep around it: events, cancelling, epoch checkpoints. */
export interface LoopHooks {
  emit(event: LabEvent): void;
  shouldStop?(): boolean;
  /** After every epoch: the model in training, to go on from there (only built when this is set). */
  onRunSnapshot?(snapshot: RunSnapshot): Promise<void> | void;
  /** Returns control to the event loop between steps, so cancel messages are seen. */
  yieldNow?(): Promise<void>;
}

/** One model to train — the teacher or a student: its step, and its state beyond the model and optimizer. */
export interface Trainee {
  label: string;
  phase: Phase;
  epochs: number;
  model: tf.LayersModel;
  optimizer: tf.Optimizer;
  vars: tf.Variable[];
  /** One update on a batch; returns the step's loss terms as kept scalars (the loop reads and disposes them). */
  step(batch: Batch, epoch: number): Promise<Record<string, tf.Scalar>> | Record<string, tf.Scalar>;
  beforeEpoch?(epoch: number): void;
  /**
   * The first epoch whose weights may be kept as the best (default 1). A debiased student sets it past
   * its warm-up: otherwise validation accuracy alone would bring back the weights from before λ was on.
   */
  selectableFrom?: number;
  /** Values shown on the curve beside the losses (the λ in force). */
  curveExtras?(epoch: number): Record<string, number>;
  /** The trainee's own state for its epoch snapshot (method, adversary), and how to put it back. */
  saveExtras?(): Promise<Pick<RunSnapshot, 'method' | 'adversary'>>;
  restoreExtras?(snapshot: RunSnapshot): Promise<void>;
}

export interface Trained {
  curve: Curve;
  valAccuracy: number[];
  trainSeconds: number;
}

const defaultYield = () => new Promise<void>((r) => setTimeout(r, 0));

/**
 * The epoch loop shared by the teacher and every student: seeded batch order, one step per batch,
 * NaN/Inf checks naming the step and term, validation accuracy and best weights after each epoch,
 * an epoch snapshot, and a resume from one. Ends with the best weights in the model.
 */
export class EpochLoop {
  readonly ranges: [number, number][];

  constructor(
    private readonly config: ExperimentConfig,
    private readonly evaluation: Evaluation,
    private readonly hooks: LoopHooks,
    private readonly progress: ProgressMeter,
  ) {
    this.ranges = batchRanges(evaluation.train.length, config.batchSize);
  }

  /** Seeded epoch order, the same for every student so methods see the same batches. */
  private order(epoch: number, salt: string): Int32Array {
    const train = this.evaluation.train;
    const perm = permutation(train.length, createRng(subSeed(this.config.seed, `${salt}:${epoch}`)));
    return perm.map((p) => train[p]);
  }

  private async yieldAndCheck(): Promise<void> {
    await (this.hooks.yieldNow ?? defaultYield)();
    if (this.hooks.shouldStop?.()) throw new CancelledError();
  }

  /** Reads the step's loss terms; a NaN/Inf one stops the run, named with the step, the term and the last good checkpoint. */
  private async readTerms(
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

  async train(t: Trainee, resume?: RunSnapshot): Promise<Trained> {
    const { data, classes } = this.evaluation;
    const best = new BestWeights(t.model);
    const curve: Curve = [];
    const valAccuracy: number[] = [];
    let t0 = Date.now();
    try {
      let first = 1;
      if (resume) {
        restoreModels([t.model], resume.model, resume.label);
        await restoreOptimizer(t.optimizer, resume.optimizer, t.vars);
        await t.restoreExtras?.(resume);
        best.load(resume.best);
        curve.push(...resume.curve);
        valAccuracy.push(...resume.valAccuracy);
        this.progress.skipEpochs(resume.epoch);
        t0 -= resume.trainSeconds * 1000;
        first = resume.epoch + 1;
        this.hooks.emit({
          type: 'stage',
          message: `${resume.label}: going on from epoch ${first} (epochs 1–${resume.epoch} restored from the checkpoint)`,
        });
        for (const p of resume.curve)
          this.hooks.emit({
            type: 'loss',
            runLabel: t.label,
            phase: t.phase,
            step: p.step,
            epoch: p.epoch,
            terms: p.terms,
          });
      }
      for (let epoch = first; epoch <= t.epochs; epoch++) {
        t.beforeEpoch?.(epoch);
        const order = this.order(epoch, t.phase);
        for (let s = 0; s < this.ranges.length; s++) {
          const [a, b] = this.ranges[s];
          const batch = makeBatch(data, order, a, b, classes);
          let kept: Record<string, tf.Scalar>;
          try {
            kept = await t.step(batch, epoch);
          } finally {
            disposeBatch(batch);
          }
          const step = curve.length + 1;
          const terms = { ...(await this.readTerms(kept, step, t.label, curve)), ...t.curveExtras?.(epoch) };
          curve.push({ step, epoch, terms });
          this.hooks.emit({ type: 'loss', runLabel: t.label, phase: t.phase, step, epoch, terms });
          this.hooks.emit(this.progress.step(t.phase, t.label, epoch, t.epochs, s + 1));
          await this.yieldAndCheck();
        }
        const acc = await this.evaluation.valAccuracy(t.model);
        valAccuracy.push(acc);
        if (epoch >= Math.min(t.selectableFrom ?? 1, t.epochs)) best.offer(acc);
        this.hooks.emit({ type: 'epoch', runLabel: t.label, phase: t.phase, epoch, valAccuracy: acc });
        if (this.hooks.onRunSnapshot) {
          await this.hooks.onRunSnapshot({
            label: t.label,
            epoch,
            epochs: t.epochs,
            model: await saveModels([t.model]),
            optimizer: await saveOptimizer(t.optimizer),
            method: [],
            ...(await t.saveExtras?.()),
            best: await best.save(),
            curve: curve.slice(),
            valAccuracy: valAccuracy.slice(),
            trainSeconds: (Date.now() - t0) / 1000,
          });
        }
      }
      best.restore();
    } finally {
      best.dispose();
    }
    return { curve, valAccuracy, trainSeconds: (Date.now() - t0) / 1000 };
  }
}
