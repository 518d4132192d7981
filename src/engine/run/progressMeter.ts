import type { LabEvent, Phase } from '../types';

/**
 * Counts the steps of a whole sweep for the progress bar and its ETA. Steps a resumed sweep does not
 * redo count as done but are left out of the speed the ETA is computed from.
 */
export class ProgressMeter {
  private done = 0;
  private doneAtStart = 0;
  private readonly started = Date.now();
  /** Which model of the sweep is training (0 = teacher). */
  run = 0;

  constructor(
    private readonly total: number,
    private readonly stepsPerEpoch: number,
    private readonly runs: number,
  ) {}

  /** Counts epochs a resumed sweep does not redo (finished models, finished epochs). */
  skipEpochs(epochs: number): void {
    this.done += epochs * this.stepsPerEpoch;
    this.doneAtStart = this.done;
  }

  /**
   * A model starts: the progress event that names it at epoch 1, step 0 — so the line never shows the
   * model before's last step ("epoch 10/10 step 23/23") while the next one sets up.
   */
  start(phase: Phase, runLabel: string, epochs: number): LabEvent {
    return this.event(phase, runLabel, 1, epochs, 0);
  }

  /** One step done: the progress event to emit. */
  step(phase: Phase, runLabel: string, epoch: number, epochs: number, step: number): LabEvent {
    this.done++;
    return this.event(phase, runLabel, epoch, epochs, step);
  }

  private event(phase: Phase, runLabel: string, epoch: number, epochs: number, step: number): LabEvent {
    const elapsed = (Date.now() - this.started) / 1000;
    const here = this.done - this.doneAtStart;
    return {
      type: 'progress',
      phase,
      runLabel,
      run: this.run,
      runs: this.runs,
      epoch,
      epochs,
      step,
      steps: this.stepsPerEpoch,
      fraction: this.done / this.total,
      etaSeconds: here > 0 ? (elapsed / here) * (this.total - this.done) : null,
    };
  }
}
