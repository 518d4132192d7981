import type { ExperimentResult, ModelResult } from '../engine/types';

/**
 * The epoch whose weights a model kept: the first epoch with the highest validation accuracy among
 * those it could choose (a debiased student's from the epoch after the adversary's warm-up), as the
 * run loop chooses (engine/run/bestWeights.ts). 1-based; null without validation figures.
 */
export function bestEpoch(m: ModelResult, result: ExperimentResult): number | null {
  const acc = m.valAccuracy;
  if (!acc.length) return null;
  const from = m.role !== 'teacher' && m.lambda > 0 ? Math.min(result.config.debias.warmupEpochs + 1, acc.length) : 1;
  let best = from;
  for (let e = from; e <= acc.length; e++) if (acc[e - 1] > acc[best - 1]) best = e;
  return best;
}
