import type { PresetName } from './presets';
import type { BackendName, DebiasConfig, ExperimentConfig, SyntheticDatasetConfig } from './types';
import { MODEL_IDS, integer, oneOf, problem } from './optionValues';

/**
 * What one option of the settings table is (name, type, URL key, CLI flag, parser, reader and writer
 * of a setup) and the kinds of option the table is made of: a model for a role, a weight file, a
 * setting of the adversary or of the built-in dataset, a named choice, a whole number.
 */

/** A whole setup as options: the experiment config plus where and how it runs. */
export interface Setup {
  preset: PresetName;
  config: ExperimentConfig;
  backend?: BackendName;
  threads?: number;
  /** The live loss chart is drawn (the bench measures what drawing it costs). */
  charts: boolean;
}

export interface OptionSpec<T> {
  name: string;
  /** What the value is, for help texts: "whole number 1–1000", "list of numbers 0–100", … */
  type: string;
  urlKey?: string;
  cliFlag?: string;
  /** The value from the text, or a message saying why it cannot be used. */
  parse(text: string): T | { problem: string };
  /** The value's text in a URL or on a command line. */
  format(value: T): string;
  /** Reads the option's value from a setup (undefined: not set). */
  get(s: Setup): T | undefined;
  /** Puts a parsed value into a setup. */
  set(s: Setup, value: T): void;
}

export function option<T>(spec: OptionSpec<T>): OptionSpec<unknown> {
  return spec as OptionSpec<unknown>;
}

/** Which model plays a role, by its id in the model list. */
export function modelOption(
  name: string,
  field: 'teacherModel' | 'studentModel',
  cliFlag: string,
): OptionSpec<unknown> {
  return option<string>({
    name,
    type: MODEL_IDS.join(' | '),
    urlKey: name,
    cliFlag,
    parse: oneOf(MODEL_IDS),
    format: String,
    get: (s) => s.config[field],
    set: (s, v) => {
      s.config[field] = v;
    },
  });
}

/**
 * A weight file a model starts from (--teacher-weights / --student-weights): the runner reads the file at
 * the path given and records its name, size and SHA-256 in the config; a reproduce command names the file.
 * Not a URL setting: the page picks files instead.
 */
export function weightsOption(name: string, role: 'teacher' | 'student', cliFlag: string): OptionSpec<unknown> {
  return option<string>({
    name,
    type: 'a .pth or .safetensors file (torchvision or timm)',
    cliFlag,
    parse: (text) => (text.trim() ? text : problem('needs the path of a weight file')),
    format: String,
    get: (s) => s.config.pretrained?.[role]?.name,
    set: (s, v) => {
      s.config.pretrained = { ...s.config.pretrained, [role]: { name: v, bytes: 0, sha256: '' } };
    },
  });
}

/** A setting of the adversary (config.debias), under its own option name. */
export function debiasOption<F extends keyof DebiasConfig>(
  name: string,
  field: F,
  cliFlag: string,
  type: string,
  parse: (text: string) => DebiasConfig[F] | { problem: string },
  format: (v: DebiasConfig[F]) => string = String,
): OptionSpec<unknown> {
  return option<DebiasConfig[F]>({
    name,
    type,
    urlKey: name,
    cliFlag,
    parse,
    format,
    get: (s) => s.config.debias[field],
    set: (s, v) => {
      s.config.debias = { ...s.config.debias, [field]: v };
    },
  });
}

/** A setting of the built-in dataset (ignored, with a note, when the setup uses imported data). */
export function syntheticOption<F extends keyof SyntheticDatasetConfig>(
  name: string,
  field: F,
  cliFlag: string,
  type: string,
  parse: (text: string) => SyntheticDatasetConfig[F] | { problem: string },
): OptionSpec<unknown> {
  return option<SyntheticDatasetConfig[F]>({
    name,
    type,
    urlKey: name,
    cliFlag,
    parse,
    format: String,
    get: (s) => (s.config.dataset.kind === 'synthetic' ? s.config.dataset[field] : undefined),
    set: (s, v) => {
      if (s.config.dataset.kind === 'synthetic') s.config.dataset = { ...s.config.dataset, [field]: v };
    },
  });
}

/** A config field with a few named values, the first its default when the config leaves it out. */
export function choiceOption<F extends 'optimizer' | 'lrSchedule' | 'augment'>(
  name: string,
  field: F,
  cliFlag: string,
  choices: readonly NonNullable<ExperimentConfig[F]>[],
): OptionSpec<unknown> {
  return option<NonNullable<ExperimentConfig[F]>>({
    name,
    type: choices.join(' | '),
    urlKey: name,
    cliFlag,
    parse: oneOf(choices),
    format: String,
    get: (s) => s.config[field] ?? choices[0],
    set: (s, v) => {
      s.config[field] = v;
    },
  });
}

/** A whole-number setting of the experiment config, under the config field's own name. */
export function integerOption(
  name: 'teacherEpochs' | 'studentEpochs' | 'batchSize' | 'seed',
  cliFlag: string,
  min: number,
  max: number,
): OptionSpec<unknown> {
  return option<number>({
    name,
    type: `whole number ${min}–${max}`,
    urlKey: name,
    cliFlag,
    parse: integer(min, max),
    format: String,
    get: (s) => s.config[name],
    set: (s, v) => {
      s.config[name] = v;
    },
  });
}
