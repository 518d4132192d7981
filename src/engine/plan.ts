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

/** The values of a list once each, in their first order (−0 and 0 are one value), and which were repeated. */
export function uniqueValues<T>(values: readonly T[]): { values: T[]; repeated: T[] } {
  const seen = new Set<T>();
  const repeated = new Set<T>();
  for (const v of values) {
    const k = (Object.is(v, -0) ? 0 : v) as T;
    if (seen.has(k)) repeated.add(k);
    else seen.add(k);
  }
  return { values: [...seen], repeated: [...repeated] };
}

/**
 * The runs of an experiment, in order: the labels-only baseline first, then methods × λ. A cell —
 * (method, parameters, λ) — is planned once however often the config lists it, so its label is the
 * cell's id within the sweep: results, saved models and resume are matched by it (checked below).
 */
export function planRuns(config: ExperimentConfig): StudentRun[] {
  const runs: StudentRun[] = [];
  if (config.baseline) runs.push({ method: 'none', params: {}, lambda: 0, label: 'Labels only', role: 'baseline' });
  const methods = config.methods.filter((m, i) => config.methods.findIndex((o) => o.id === m.id) === i);
  for (const m of methods) {
    const def = methodInfo(m.id);
    for (const lambda of uniqueValues(config.lambdas).values) {
      runs.push({
        method: m.id,
        params: withDefaults(def, m.params),
        lambda,
        label: `${def.short} λ=${lambda}`,
        role: 'student',
      });
    }
  }
  const labels = runs.map((r) => r.label);
  const clash = labels.find((l, i) => labels.indexOf(l) !== i);
  if (clash) throw new Error(`Two cells of the plan share the label ${clash}; each cell needs its own.`);
  return runs;
}

/** Why a config lists a cell more than once (each line a note for the page or the CLI), or nothing. */
export function duplicateNotes(config: Pick<ExperimentConfig, 'lambdas' | 'methods'>): string[] {
  const notes: string[] = [];
  const { repeated } = uniqueValues(config.lambdas);
  if (repeated.length) notes.push(`λ ${repeated.join(', ')} was listed more than once; each λ is trained once.`);
  const ids = config.methods.map((m) => m.id);
  const twice = [...new Set(ids.filter((id, i) => ids.indexOf(id) !== i))];
  if (twice.length) notes.push(`Method ${twice.join(', ')} was listed more than once; each method is trained once.`);
  return notes;
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
