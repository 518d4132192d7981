import { methodInfo, paramNamed, paramSymbol, validateParams, withDefaults } from './distill/catalog';
import { MODEL_PRESETS, modelPreset } from './models/architectures';
import type { ExperimentConfig, MethodId, ParamSweep } from './types';

/**
 * What an experiment will train, and whether its settings make sense — plain data and checks,
 * shared by the run loop and the page (which validates as the user types, without tfjs).
 */

export interface StudentRun {
  method: MethodId;
  params: Record<string, number>;
  lambda: number;
  /** The label without λ: the method and its swept values ("CKD T=2"), one line in the charts. */
  series: string;
  label: string;
  role: 'student' | 'baseline';
}

/** A student's line (see StudentRun.series); results stored before sweeps existed fall back to the method. */
export function seriesOf(m: { series?: string; method: MethodId }): string {
  return m.series ?? (m.method === 'none' ? 'Labels only' : methodInfo(m.method).short);
}

/**
 * The variants a method's sweeps ask for: every combination of the swept values (the first sweep
 * outermost), each with its overrides and its label suffix (" T=2"). One empty variant without sweeps.
 */
export function sweepVariants(
  sweeps: readonly ParamSweep[] | undefined,
  method: MethodId,
): { values: Record<string, number>; suffix: string }[] {
  const def = methodInfo(method);
  let variants = [{ values: {} as Record<string, number>, suffix: '' }];
  for (const sweep of sweeps ?? []) {
    if (sweep.method !== method) continue;
    const p = paramNamed(def, sweep.param);
    if (!p) throw new Error(`${def.short} has no hyper-parameter "${sweep.param}".`);
    variants = variants.flatMap((v) =>
      uniqueValues(sweep.values).values.map((x) => ({
        values: { ...v.values, [p.key]: x },
        suffix: `${v.suffix} ${paramSymbol(p)}=${x}`,
      })),
    );
  }
  return variants;
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
  if (config.baseline)
    runs.push({
      method: 'none',
      params: {},
      lambda: 0,
      series: 'Labels only',
      label: 'Labels only',
      role: 'baseline',
    });
  const methods = config.methods.filter((m, i) => config.methods.findIndex((o) => o.id === m.id) === i);
  for (const m of methods) {
    const def = methodInfo(m.id);
    for (const variant of sweepVariants(config.sweeps, m.id)) {
      const series = `${def.short}${variant.suffix}`;
      for (const lambda of uniqueValues(m.lambdas ?? config.lambdas).values) {
        runs.push({
          method: m.id,
          params: withDefaults(def, { ...m.params, ...variant.values }),
          lambda,
          series,
          label: `${series} λ=${lambda}`,
          role: 'student',
        });
      }
    }
  }
  const labels = new Set<string>();
  for (const r of runs) {
    if (labels.has(r.label))
      throw new Error(`Two cells of the plan share the label ${r.label}; each cell needs its own.`);
    labels.add(r.label);
  }
  return runs;
}

/**
 * How many students a config plans for one seed — the labels-only student, then for each method the
 * product of its swept values' counts and its λ count — counted from the lists (each value once, as the
 * plan keeps it) without building the plan: milliseconds even for a config that would plan 10^8.
 */
export function plannedStudentCount(
  config: Pick<ExperimentConfig, 'baseline' | 'methods' | 'lambdas' | 'sweeps'>,
): number {
  let n = config.baseline ? 1 : 0;
  const seen = new Set<string>();
  for (const m of config.methods) {
    if (seen.has(m.id)) continue;
    seen.add(m.id);
    let variants = 1;
    for (const sweep of config.sweeps ?? []) if (sweep.method === m.id) variants *= new Set(sweep.values).size;
    n += variants * new Set(m.lambdas ?? config.lambdas).size;
  }
  return n;
}

/**
 * Why a plan is too large to be built, before anything is: its size as the product it comes from,
 * against MAX_PLANNED_STUDENTS (null when it fits). Every path (page, link, import, runner, manifest,
 * checkpoint) asks this first.
 */
export function planSizeProblem(
  config: Pick<ExperimentConfig, 'baseline' | 'methods' | 'lambdas' | 'sweeps'>,
  seeds = 1,
): string | null {
  const perSeed = plannedStudentCount(config);
  const total = perSeed * seeds;
  if (total <= MAX_PLANNED_STUDENTS) return null;
  const of =
    seeds > 1
      ? `${count(perSeed)} students a seed × ${count(seeds)} seeds = ${count(total)}`
      : `${count(total)} students`;
  return `The plan holds ${of} (methods × swept values × λ${seeds > 1 ? ' × seeds' : ''}); at most ${count(MAX_PLANNED_STUDENTS)} fit one sweep.`;
}

const count = (n: number) => n.toLocaleString('en-US');

/** Why a config lists a cell more than once (each line a note for the page or the CLI), or nothing. */
export function duplicateNotes(config: Pick<ExperimentConfig, 'lambdas' | 'methods' | 'sweeps'>): string[] {
  const notes: string[] = [];
  for (const sweep of config.sweeps ?? []) {
    const { repeated } = uniqueValues(sweep.values);
    if (repeated.length)
      notes.push(
        `${sweep.method}.${sweep.param} listed ${repeated.join(', ')} more than once; each value is trained once.`,
      );
  }
  const { repeated } = uniqueValues(config.lambdas);
  if (repeated.length) notes.push(`λ ${repeated.join(', ')} was listed more than once; each λ is trained once.`);
  for (const m of config.methods) {
    const own = uniqueValues(m.lambdas ?? []).repeated;
    if (own.length) notes.push(`${m.id}'s λ ${own.join(', ')} was listed more than once; each λ is trained once.`);
  }
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
    if (m.lambdas && !m.lambdas.length) errors.push(`Give ${m.id} at least one λ value, or none of its own.`);
    for (const l of m.lambdas ?? [])
      if (!(Number.isFinite(l) && l >= 0 && l <= 100))
        errors.push(`${m.id}'s λ values must be between 0 and 100 (got ${l}).`);
    try {
      const def = methodInfo(m.id);
      errors.push(...validateParams(def, withDefaults(def, m.params)));
    } catch (e) {
      errors.push((e as Error).message);
    }
  }
  errors.push(...sweepProblems(config));
  for (const id of [config.teacherModel, config.studentModel]) {
    try {
      modelPreset(id);
    } catch (e) {
      errors.push((e as Error).message);
    }
  }
  for (const role of ['teacher', 'student'] as const) {
    const file = config.pretrained?.[role];
    const id = role === 'teacher' ? config.teacherModel : config.studentModel;
    if (file && !MODEL_PRESETS.find((m) => m.id === id)?.torchvision)
      errors.push(
        `The ${role} (${id}) cannot start from the weight file ${file.name}: weight files fit efficientnet-b0 and efficientnet-b3.`,
      );
  }
  if ((config.freezeEpochs ?? 0) > 0 && !config.pretrained?.teacher && !config.pretrained?.student)
    errors.push('Freezing the backbone (freeze epochs) needs a model that starts from a weight file.');
  if (config.pretrained?.teacher && config.teacherImport)
    errors.push('An imported teacher is trained already: it does not also start from a weight file.');
  if (!(config.debias.hidden >= 1 && config.debias.adversaryLr > 0 && config.debias.warmupEpochs >= 0))
    errors.push('Adversary settings must be positive.');
  return errors;
}

/** The most students one sweep may plan (each is minutes to hours of training). */
export const MAX_PLANNED_STUDENTS = 1000;

/** Why a config's hyper-parameter sweeps cannot be planned, one line each. */
function sweepProblems(config: ExperimentConfig): string[] {
  const errors: string[] = [];
  const seen = new Set<string>();
  for (const sweep of config.sweeps ?? []) {
    let def;
    try {
      def = methodInfo(sweep.method);
    } catch (e) {
      errors.push((e as Error).message);
      continue;
    }
    const p = paramNamed(def, sweep.param);
    if (!config.methods.some((m) => m.id === sweep.method))
      errors.push(`The sweep over ${def.short}'s ${sweep.param} needs ${def.short} among the methods.`);
    if (!p) {
      errors.push(
        `${def.short} has no hyper-parameter "${sweep.param}" (it has ${def.params.map(paramSymbol).join(', ')}).`,
      );
      continue;
    }
    if (seen.has(`${sweep.method}.${p.key}`)) errors.push(`${def.short}'s ${p.label} is swept twice.`);
    seen.add(`${sweep.method}.${p.key}`);
    if (!sweep.values.length) errors.push(`The sweep over ${def.short}'s ${p.label} has no values.`);
    for (const v of sweep.values)
      if (!(Number.isFinite(v) && v >= p.min && v <= p.max))
        errors.push(`${def.short}: ${p.label} must be between ${p.min} and ${p.max} (the sweep has ${v}).`);
  }
  if (!errors.length) {
    const tooLarge = planSizeProblem(config);
    if (tooLarge) errors.push(tooLarge);
  }
  return errors;
}
