import * as tf from '@tensorflow/tfjs';
import { adam } from '../kernels/fusedAdam';
import { crossEntropy } from '../distill/common';
import { buildModel, forward, modelPreset, trainableVariables } from '../models/efficientnet';
import { subSeed } from '../random';
import type { ExperimentConfig, ModelResult, RunSnapshot } from '../types';
import type { EpochLoop } from './epochLoop';
import { startFromWeights, type PretrainedWeights } from './pretrained';
import { scheduleEpoch, trainedInEpoch } from './fineTune';
import type { Evaluation } from './evaluation';

/** Adam by default; plain SGD on request (it diverges visibly at a too-large learning rate). */
export function makeOptimizer(config: ExperimentConfig): tf.Optimizer {
  return config.optimizer === 'sgd' ? tf.train.sgd(config.learningRate) : adam(config.learningRate);
}

/** Trains the sweep's teacher on the labels (cross-entropy), from a snapshot when one is given. */
export async function trainTeacher(
  config: ExperimentConfig,
  evaluation: Evaluation,
  loop: EpochLoop,
  resume?: RunSnapshot,
  weights?: PretrainedWeights,
): Promise<{ model: tf.LayersModel; result: ModelResult }> {
  const { classes } = evaluation;
  const model = buildModel(modelPreset(config.teacherModel), {
    inputSize: evaluation.inputSize,
    classes,
    seed: subSeed(config.seed, 'teacher'),
    name: 'teacher',
  });
  try {
    startFromWeights(model, 'teacher', config, weights);
  } catch (e) {
    model.dispose();
    throw e;
  }
  const optimizer = makeOptimizer(config);
  const vars = trainableVariables([model]);
  try {
    const trained = await loop.train(
      {
        label: 'Teacher',
        phase: 'teacher',
        epochs: config.teacherEpochs,
        model,
        optimizer,
        vars,
        beforeEpoch: (epoch) => scheduleEpoch(optimizer, config, epoch, config.teacherEpochs),
        step: (batch, epoch) => {
          let ce: tf.Scalar | undefined;
          optimizer.minimize(
            () => {
              const [logits] = forward(model, batch.x, true);
              const loss = crossEntropy(logits, batch.oneHot);
              ce = tf.keep(tf.clone(loss));
              return loss;
            },
            false,
            trainedInEpoch(config, 'teacher', model, vars, [], epoch),
          );
          return { CE: ce! };
        },
      },
      resume,
    );
    const result = await evaluation.evaluate(model, {
      role: 'teacher',
      label: 'Teacher',
      model: config.teacherModel,
      method: 'none',
      lambda: 0,
      ...trained,
    });
    return { model, result };
  } catch (e) {
    model.dispose();
    throw e;
  } finally {
    optimizer.dispose();
  }
}
