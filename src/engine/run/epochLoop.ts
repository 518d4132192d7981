import * as tf from '@tensorflow/tfjs';
import { batchRanges, disposeBatch, type Batch } from '../data/batches';
import { epochOrder } from '../data/epochOrder';
import { createRng, subSeed } from '../random';
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
  step(batch: Batch, epoch: number, step: number): Promise<Record<string, tf.Scalar>> | Record<string, tf.Scalar>;
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

/** A step whose loss terms are still on the device, waiting for the next read. */
interface PendingStep {
  step: number;
  epoch: number;
  kept: Record<string, tf.Scalar>;
  extras?: Record<string, number>;
}

/**
 * Steps between two reads of the loss terms on a GPU backend. A read waits for the queue to drain, so
 * reading every step would leave the GPU idle while the next step is recorded; 16 steps keep it fed and
 * still stop a diverged run within a fraction of an epoch — and the loop does not wait for the read
 * (it is taken up 16 steps later). On cpu and wasm a read costs nothing: every step, at once.
 */
export const GPU_READBACK_EVERY = 16;

export function readbackEvery(backend: string): number {
  return backend === 'webgpu' || backend === 'webgl' ? GPU_READBACK_EVERY : 1;
}

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
    /** Steps between reads of the loss terms (the backend's default unless a test sets it). */
    private readonly readEvery = readbackEvery(tf.getBackend()),
  ) {
    this.ranges = batchRanges(evaluation.train.length, config.batchSize);
  }

  /** Seeded epoch order, the same for every student so methods see the same batches. */
  private order(epoch: number, salt: string): Int32Array {
    const rng = createRng(subSeed(this.config.seed, `${salt}:${epoch}`));
    return epochOrder(this.evaluation.train, rng, this.evaluation.reader.starts);
  }

  /** Crops and flips for this epoch's training batches, when the run asks for them. */
  private augmentAt(epoch: number): { seed: number; epoch: number } | undefined {
    return this.config.augment === 'crop+flip' ? { seed: subSeed(this.config.seed, 'augment'), epoch } : undefined;
  }

  private async yieldAndCheck(): Promise<void> {
    await (this.hooks.yieldNow ?? defaultYield)();
    if (this.hooks.shouldStop?.()) throw new CancelledError();
  }

  /**
   * Reads the loss terms of the steps since the last read in one transfer, and puts them on the curve.
   * A NaN/Inf term stops the run, named with its step, the term and the last good checkpoint.
   */
  private async readTerms(pending: PendingStep[], label: string, phase: Phase, curve: Curve): Promise<void> {
    const scalars = pending.flatMap((p) => Object.values(p.kept));
    let values: Float32Array;
    try {
      const stacked = tf.tidy(() => tf.stack(scalars));
      try {
        values = (await stacked.data()) as Float32Array;
      } finally {
        stacked.dispose();
      }
    } finally {
      tf.dispose(scalars); // also when the read or the check below throws
    }
    let i = 0;
    for (const p of pending) {
      const terms: Record<string, number> = {};
      for (const n of Object.keys(p.kept)) {
        const v = values[i++];
        if (!Number.isFinite(v))
          throw new NumericalError(
            `${label}: the ${n} loss became ${v} at step ${p.step}${pending.length > 1 ? ` (read back with steps ${pending[0].step}–${pending[pending.length - 1].step})` : ''}. ${lastGoodCheckpoint(curve, this.ranges.length)} Lower the learning rate or the loss weights.`,
          );
        terms[n] = v;
      }
      Object.assign(terms, p.extras);
      curve.push({ step: p.step, epoch: p.epoch, terms });
      this.hooks.emit({ type: 'loss', runLabel: label, phase, step: p.step, epoch: p.epoch, terms });
    }
  }

  async train(t: Trainee, resume?: RunSnapshot): Promise<Trained> {
    const { reader, classes } = this.evaluation;
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
        const pending: PendingStep[] = [];
        // On a GPU the read of the loss terms is not waited for: the steps after it are recorded and
        // submitted while the copy maps, and the read is taken up at the next one (its NaN check with
        // it, naming its steps) or at the epoch's end. One read in flight at a time keeps the curve in order.
        let reading: Promise<void> | null = null;
        try {
          for (let s = 0; s < this.ranges.length; s++) {
            const [a, b] = this.ranges[s];
            const batch = await reader.batch(order, a, b, classes, this.augmentAt(epoch));
            reader.prefetch(order, b, this.ranges[s + 1]?.[1] ?? b);
            try {
              const stepNo = curve.length + pending.length + 1;
              pending.push({
                step: stepNo,
                epoch,
                kept: await t.step(batch, epoch, stepNo),
                extras: t.curveExtras?.(epoch),
              });
            } finally {
              disposeBatch(batch);
            }
            const last = s === this.ranges.length - 1;
            if (pending.length >= this.readEvery || last) {
              const before = reading;
              reading = null;
              if (before) await before; // (on its error these steps are still pending: disposed below)
              reading = this.readTerms(pending.splice(0), t.label, t.phase, curve);
              reading.catch(() => {}); // its error is thrown where it is awaited
              // cpu and wasm (a read every step) and an epoch's last read are waited for at once.
              if (last || this.readEvery === 1) {
                const r = reading;
                reading = null;
                await r;
              }
            }
            this.hooks.emit(this.progress.step(t.phase, t.label, epoch, t.epochs, s + 1));
            await this.yieldAndCheck();
          }
        } finally {
          for (const p of pending) tf.dispose(Object.values(p.kept));
          // A read still in flight disposes its own terms when it lands; an error has already been thrown.
          if (reading) await (reading as Promise<void>).catch(() => {});
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
