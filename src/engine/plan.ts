import { methodInfo, validateParams, withDefaults } from './distill/catalog';
import { modelPreset } from './models/architectures';
import type { ExperimentConfig, MethodId } from './types';

/**
 * What an experiment will train, and whether its settings make sense — plain data and checks,
 * shared by the run loop and the page (which validates as the user types, without tfjs).
 */

export interface StudentRun {
  method: MethodId;
  params: Record<string, number>;
  lambda: number;
  label: string;
  role: 'student' | 'baseline';
}

/** The runs of an experiment, in order: the labels-only baseline first, then methods × λ. */
export function planRuns(config: ExperimentConfig): StudentRun[] {
  const runs: StudentRun[] = [];
  if (config.baseline) runs.push({ method: 'none', params: {}, lambda: 0, label: 'Labels only', role: 'baseline' });
  for (const m of config.methods) {
    const def = methodInfo(m.id);
    for (const lambda of config.lambdas) {
      runs.push({
        method: m.id,
        params: withDefaults(def, m.params),
        lambda,
        label: `${def.short} λ=${lambda}`,
        role: 'student',
      });
    }
  }
  return runs;
}

export function validateExperiment(config: ExperimentConfig): string[] {
  const errors: string[] = [];
  const posInt = (v: number, name: string, max: number) => {
    if (!Number.isInteger(v) || v < 1 || v > max) errors.push(`${name} must be a whole number from 1 to ${max}.`);
  };
  posInt(config.teacherEpochs, 'Teacher epochs', 1000);
  posInt(config.studentEpochs, 'Student epochs', 1000);
  posInt(config.batchSize, 'Batch size', 4096);
  if (config.batchSize < 2) errors.push('Batch size must be at least 2 (batch normalisation needs two examples).');
  if (!(config.learningRate > 0 && config.learningRate <= 1e6))
    errors.push('Learning rate must be above 0 and at most 1e6.');
  if (!config.methods.length && !config.baseline) errors.push('Choose at least one distillation method.');
  if (!config.lambdas.length) errors.push('Give at least one λ value (0 = no debiasing).');
  for (const l of config.lambdas)
    if (!(Number.isFinite(l) && l >= 0 && l <= 100)) errors.push(`λ values must be between 0 and 100 (got ${l}).`);
  for (const m of config.methods) {
    try {
      const def = methodInfo(m.id);
      errors.push(...validateParams(def, withDefaults(def, m.params)));
    } catch (e) {
      errors.push((e as Error).message);
    }
  }
  for (const id of [config.teacherModel, config.studentModel]) {
    try {
      modelPreset(id);
    } catch (e) {
      errors.push((e as Error).message);
    }
  }
  if (!(config.debias.hidden >= 1 && config.debias.adversaryLr > 0 && config.debias.warmupEpochs >= 0))
    errors.push('Adversary settings must be positive.');
  return errors;
}
