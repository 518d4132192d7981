import * as tf from '@tensorflow/tfjs';
import { adam } from '../kernels/fusedAdam';
import { method as getMethod, type MethodState } from '../distill';
import type { StudentRun } from '../plan';
import { buildAdversary, lambdaAt } from '../models/adversary';
import { buildModel, modelPreset, trainableVariables } from '../models/efficientnet';
import { subSeed } from '../random';
import type { ExperimentConfig, ModelResult, RunSnapshot } from '../types';
import { distillationStep } from './distillationStep';
import type { EpochLoop } from './epochLoop';
import { startFromWeights, type PretrainedWeights } from './pretrained';
import { scheduleEpoch, trainedInEpoch } from './fineTune';
import type { Evaluation } from './evaluation';
import {
  restoreModels,
  restoreOptimizer,
  restoreVariables,
  saveModels,
  saveOptimizer,
  saveVariables,
} from './runSnapshot';
import { makeOptimizer } from './trainTeacher';

/**
 * Distills one student (method, λ) from the trained teacher, with the adversary when λ > 0. Returns
 * its evaluation and the model (best weights in place), which the caller saves and disposes.
 */
export async function trainStudent(
  config: ExperimentConfig,
  evaluation: Evaluation,
  loop: EpochLoop,
  teacher: tf.LayersModel,
  run: StudentRun,
  classMeans: () => Promise<tf.Tensor2D>,
  resume?: RunSnapshot,
  weights?: PretrainedWeights,
): Promise<Omit<ModelResult, 'modelKey'> & { student: tf.LayersModel }> {
  const { classes } = evaluation;
  const def = getMethod(run.method);
  const student = buildModel(modelPreset(config.studentModel), {
    inputSize: evaluation.inputSize,
    classes,
    seed: subSeed(config.seed, 'student'),
    name: 'student',
  });
  try {
    startFromWeights(student, 'student', config, weights);
  } catch (e) {
    student.dispose();
    throw e;
  }
  const means = def.needsClassMeans ? await classMeans() : undefined;
  let state: MethodState | undefined;
  const adversary =
    run.lambda > 0
      ? buildAdversary(classes, config.debias.hidden, config.debias.equalizedOdds, subSeed(config.seed, 'adversary'))
      : undefined;
  const optimizer = makeOptimizer(config);
  const advOptimizer = adversary ? adam(config.debias.adversaryLr) : undefined;
  try {
    state = def.setup?.({
      params: run.params,
      studentDim: student.outputs[1].shape[1] as number,
      teacherDim: teacher.outputs[1].shape[1] as number,
      classes,
      seed: subSeed(config.seed, 'method'),
      teacherClassMeans: means ? () => tf.clone(means) : undefined,
    });
    const methodState = state;
    const extraModels = state?.trainableModels ?? [];
    const methodVars = state?.variables ?? [];
    const vars = [...trainableVariables([student, ...extraModels]), ...methodVars];
    const advVars = adversary ? trainableVariables([adversary]) : [];
    const lambdaIn = (epoch: number) =>
      lambdaAt(run.lambda, epoch, config.studentEpochs, config.debias.warmupEpochs, config.debias.schedule);
    const trained = await loop.train(
      {
        label: run.label,
        phase: 'student',
        epochs: config.studentEpochs,
        model: student,
        optimizer,
        vars,
        beforeEpoch: (epoch) => {
          scheduleEpoch(optimizer, config, epoch, config.studentEpochs);
          methodState?.beforeEpoch?.(epoch);
        },
        selectableFrom: adversary ? config.debias.warmupEpochs + 1 : 1,
        step: (batch, epoch, step) =>
          distillationStep(config.debias, {
            student,
            teacher,
            def,
            run,
            state: methodState,
            adversary,
            optimizer,
            advOptimizer,
            // While the backbone is frozen: the new head and the method's own trainables.
            vars: trainedInEpoch(
              config,
              'student',
              student,
              vars,
              [...trainableVariables(extraModels), ...methodVars],
              epoch,
            ),
            advVars,
            batch,
            epoch,
            step,
            lambda: lambdaIn(epoch),
          }),
        // The debiasing weight in force at this step, on the curves of runs that have an adversary.
        curveExtras: adversary ? (epoch) => ({ λ: lambdaIn(epoch) }) : undefined,
        saveExtras: async () => ({
          method: [...(await saveVariables(methodVars)), ...(await saveModels(extraModels))],
          ...(adversary
            ? { adversary: { model: await saveModels([adversary]), optimizer: await saveOptimizer(advOptimizer!) } }
            : {}),
        }),
        restoreExtras: async (snap) => {
          if (Boolean(snap.adversary) !== Boolean(adversary))
            throw new Error(`The checkpoint of ${run.label} does not match its debiasing setting.`);
          restoreVariables(methodVars, snap.method.slice(0, methodVars.length), `${run.label} method`);
          restoreModels(extraModels, snap.method.slice(methodVars.length), `${run.label} method`);
          if (adversary && snap.adversary) {
            restoreModels([adversary], snap.adversary.model, `${run.label} adversary`);
            await restoreOptimizer(advOptimizer!, snap.adversary.optimizer, advVars);
          }
        },
      },
      resume,
    );
    const result = await evaluation.evaluate(student, {
      role: run.role,
      label: run.label,
      model: config.studentModel,
      method: run.method,
      lambda: run.lambda,
      series: run.series,
      params: run.params,
      ...trained,
    });
    return { ...result, student };
  } catch (e) {
    student.dispose();
    throw e;
  } finally {
    state?.dispose();
    means?.dispose();
    adversary?.dispose();
    optimizer.dispose();
    advOptimizer?.dispose();
  }
}
