import type { Curve } from '../types';

/** The user asked to stop; thrown between steps, after everything made so far is disposed. */
export class CancelledError extends Error {
  constructor() {
    super('Cancelled');
    this.name = 'CancelledError';
  }
}

/** A loss term became NaN/Inf: the message names the step, the term and the last good checkpoint. */
export class NumericalError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NumericalError';
  }
}

/** The last epoch a run finished with finite losses: its epoch checkpoint, the point a resume would start from. */
export function lastGoodCheckpoint(curve: Curve, stepsPerEpoch: number): string {
  const epochs = Math.floor(curve.length / stepsPerEpoch);
  return epochs > 0
    ? `Its last good checkpoint is the end of epoch ${epochs} (step ${epochs * stepsPerEpoch}).`
    : 'It diverged in its first epoch, before any checkpoint.';
}
