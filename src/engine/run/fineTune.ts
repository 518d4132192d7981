import type * as tf from '@tensorflow/tfjs';
import { torchKeysOf, trainableVariables } from '../models/efficientnet';
import type { ExperimentConfig } from '../types';

/**
 * What a fine-tune from a weight file needs beyond training from scratch: a learning-rate schedule
 * (constant, or cosine from the configured rate to 0 over the model's epochs, set before each epoch, so
 * a resumed run follows it exactly), and the backbone frozen for the first `freezeEpochs` epochs — only
 * the new head (and a method's own trainables) learn while the head finds its footing.
 */

/** The learning rate of epoch `epoch` (1-based) of `epochs`. */
export function learningRateAt(config: ExperimentConfig, epoch: number, epochs: number): number {
  if ((config.lrSchedule ?? 'constant') === 'constant' || epochs <= 1) return config.learningRate;
  return 0.5 * config.learningRate * (1 + Math.cos((Math.PI * (epoch - 1)) / epochs));
}

/** Sets the epoch's rate when the schedule is not constant (a constant one leaves the optimizer untouched). */
export function scheduleEpoch(optimizer: tf.Optimizer, config: ExperimentConfig, epoch: number, epochs: number): void {
  if ((config.lrSchedule ?? 'constant') !== 'constant')
    setLearningRate(optimizer, learningRateAt(config, epoch, epochs));
}

export function setLearningRate(optimizer: tf.Optimizer, lr: number): void {
  // SGD keeps its rate as a scalar it made once (setLearningRate remakes it); Adam reads its field each step.
  const o = optimizer as unknown as { setLearningRate?: (lr: number) => void; learningRate: number };
  if (o.setLearningRate) o.setLearningRate(lr);
  else o.learningRate = lr;
}

/**
 * The variables a step updates in `epoch`: all of them, or — while the backbone of a model that started
 * from a weight file is frozen — the classifier's and the `others` (a method's own, never frozen).
 */
export function trainedInEpoch(
  config: ExperimentConfig,
  role: 'teacher' | 'student',
  model: tf.LayersModel,
  all: tf.Variable[],
  others: tf.Variable[],
  epoch: number,
): tf.Variable[] {
  if (!config.pretrained?.[role] || epoch > (config.freezeEpochs ?? 0)) return all;
  const head = new Set((torchKeysOf(model) ?? []).filter((k) => k.head).map((k) => k.layer));
  const headVars = trainableVariables([model]).filter((v) => [...head].some((l) => v.name.includes(`${l}/`)));
  return [...headVars, ...others];
}
