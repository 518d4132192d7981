import { METHOD_INFO, withDefaults } from './distill/catalog';
import { duplicateNotes, uniqueValues } from './plan';
import { EXPERIMENT_PRESETS, methodChoice, type PresetName } from './presets';
import {
  BACKEND_ORDER,
  WASM_THREADS,
  type BackendName,
  type ExperimentConfig,
  type MethodChoice,
  type ParamSweep,
} from './types';
import {
  LAMBDA_MAX,
  type MethodLambdas,
  type ParamValue,
  decimal,
  integer,
  isProblem,
  oneOf,
  parseMethodLambdas,
  parseParams,
  parseSweeps,
  plainNumber,
  problem,
  shown,
  zeroOrOne,
} from './optionValues';
import {
  type OptionSpec,
  type Setup,
  choiceOption,
  debiasOption,
  integerOption,
  modelOption,
  option,
  syntheticOption,
  weightsOption,
} from './optionSpec';

export type { OptionSpec, Setup } from './optionSpec';
export { isProblem, plainNumber, shown } from './optionValues';

/**
 * The one table of the settings a URL (?lambdas=0,0.5) or the headless runner (--lambdas 0,0.5) can
 * give: name, type, range, default, URL key and CLI flag, with one parser and one rule each. The page
 * reads and writes setups through it (shareable links); the CLI parses its flags through it.
 */

const PRESET_NAMES = Object.keys(EXPERIMENT_PRESETS) as PresetName[];

/** Every option, in the order a help text lists them. `preset` comes first: the others patch its config. */
export const OPTIONS: OptionSpec<unknown>[] = [
  option<PresetName>({
    name: 'preset',
    type: PRESET_NAMES.join(' | '),
    urlKey: 'preset',
    cliFlag: '--preset',
    parse: oneOf(PRESET_NAMES),
    format: String,
    get: (s) => s.preset,
    set: (s, v) => {
      s.preset = v;
      s.config = presetConfig(v);
    },
  }),
  option<MethodChoice['id'][]>({
    name: 'methods',
    type: `list of ${METHOD_INFO.filter((m) => m.id !== 'none')
      .map((m) => m.id)
      .join(', ')}`,
    urlKey: 'methods',
    cliFlag: '--methods',
    parse: (text) => {
      const ids = text
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean);
      const unknown = ids.filter((id) => !METHOD_INFO.some((m) => m.id === id));
      if (unknown.length)
        return problem(`has unknown methods ${unknown.join(', ')} (known: ${METHOD_INFO.map((m) => m.id).join(', ')})`);
      return ids.filter((id) => id !== 'none') as MethodChoice['id'][];
    },
    format: (v) => v.join(','),
    get: (s) => s.config.methods.map((m) => m.id),
    set: (s, ids) => {
      s.config.methods = ids.map((id) => methodChoice(s.preset, id));
    },
  }),
  option<number[]>({
    name: 'lambdas',
    type: `list of numbers 0–${LAMBDA_MAX}`,
    urlKey: 'lambdas',
    cliFlag: '--lambdas',
    parse: (text) => {
      const values = text.split(',').map((x) => plainNumber(x.trim()));
      if (!values.length || values.some((v) => !(Number.isFinite(v) && v >= 0 && v <= LAMBDA_MAX)))
        return problem(`must be a comma-separated list of numbers from 0 to ${LAMBDA_MAX} (got ${shown(text)})`);
      return values;
    },
    format: (v) => v.join(','),
    get: (s) => s.config.lambdas,
    set: (s, v) => {
      s.config.lambdas = v;
    },
  }),
  option<MethodLambdas[]>({
    name: 'methodLambdas',
    type: `method=λ1,λ2,… (several joined by ;) in place of --lambdas for that method, e.g. rkd=0,2,4`,
    urlKey: 'methodLambdas',
    cliFlag: '--method-lambdas',
    parse: parseMethodLambdas,
    format: (v) => v.map((m) => `${m.method}=${m.lambdas.join(',')}`).join(';'),
    get: (s) => {
      const own = s.config.methods.flatMap((m) => (m.lambdas ? [{ method: m.id, lambdas: m.lambdas }] : []));
      return own.length ? own : undefined;
    },
    // Applied to the methods chosen (the methods option comes first); a method not chosen has none.
    set: (s, v) => {
      s.config.methods = s.config.methods.map((m) => {
        const own = v.find((x) => x.method === m.id);
        return own ? { ...m, lambdas: uniqueValues(own.lambdas).values } : m;
      });
    },
  }),
  modelOption('teacher', 'teacherModel', '--teacher'),
  modelOption('student', 'studentModel', '--student'),
  weightsOption('teacherWeights', 'teacher', '--teacher-weights'),
  weightsOption('studentWeights', 'student', '--student-weights'),
  option<ParamValue[]>({
    name: 'params',
    type: 'method.param=value (several joined by ;), e.g. kd.T=2;dkd.beta=4',
    urlKey: 'params',
    cliFlag: '--params',
    parse: parseParams,
    format: (v) => v.map((p) => `${p.method}.${p.param}=${p.value}`).join(';'),
    // Only what differs from the method's defaults in this preset (its short-run overrides included).
    get: (s) =>
      s.config.methods.flatMap((m) => {
        const def = METHOD_INFO.find((d) => d.id === m.id)!;
        const base = withDefaults(def, methodChoice(s.preset, m.id).params);
        return Object.entries(m.params ?? {})
          .filter(([param, value]) => base[param] !== value)
          .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
          .map(([param, value]) => ({ method: m.id, param, value }));
      }),
    // Applied to the methods chosen (the methods option comes first); a method not chosen has none.
    set: (s, v) => {
      s.config.methods = s.config.methods.map((m) => {
        const own = v.filter((p) => p.method === m.id);
        return own.length
          ? { ...m, params: { ...m.params, ...Object.fromEntries(own.map((p) => [p.param, p.value])) } }
          : m;
      });
    },
  }),
  integerOption('teacherEpochs', '--teacher-epochs', 1, 1000),
  integerOption('studentEpochs', '--student-epochs', 1, 1000),
  integerOption('batchSize', '--batch-size', 2, 4096),
  integerOption('seed', '--seed', 0, 2147483647),
  option<ParamSweep[]>({
    name: 'sweep',
    type: 'method.param=v1,v2,… (several joined by ;), e.g. kd.T=1,2,4,8',
    urlKey: 'sweep',
    cliFlag: '--sweep',
    parse: parseSweeps,
    format: (v) => v.map((w) => `${w.method}.${w.param}=${w.values.join(',')}`).join(';'),
    get: (s) => s.config.sweeps,
    set: (s, v) => {
      s.config.sweeps = v.length ? v : undefined;
    },
  }),
  syntheticOption('dataSeed', 'seed', '--data-seed', 'whole number 0–2147483647', integer(0, 2147483647)),
  syntheticOption('biasStrength', 'biasStrength', '--bias-strength', 'number 0–1', decimal(0, 1)),
  syntheticOption('design', 'design', '--design', 'pairs | shortcut', oneOf(['pairs', 'shortcut'] as const)),
  syntheticOption('classes', 'classes', '--classes', 'whole number 2–16', integer(2, 16)),
  syntheticOption('examples', 'examples', '--examples', 'whole number 20–200000', integer(20, 200_000)),
  // Up to 320: B3's 300 px for photos (--data), and a margin.
  syntheticOption('imageSize', 'size', '--image-size', 'whole number 8–320', integer(8, 320)),
  syntheticOption('cueStrength', 'cueStrength', '--cue-strength', 'number 0–1', decimal(0, 1)),
  syntheticOption('labelNoise', 'labelNoise', '--label-noise', 'number 0–0.49', decimal(0, 0.49)),
  syntheticOption('hiddenDetail', 'hiddenDetail', '--hidden-detail', 'number 0–1', decimal(0, 1)),
  syntheticOption('detailContrast', 'detailContrast', '--detail-contrast', 'number 0.01–4', decimal(0.01, 4)),
  debiasOption('adversaryHidden', 'hidden', '--adversary-hidden', 'whole number 1–4096', integer(1, 4096)),
  debiasOption('adversaryLr', 'adversaryLr', '--adversary-lr', 'number 0.000001–1', decimal(0.000001, 1)),
  debiasOption('adversaryWarmup', 'warmupEpochs', '--adversary-warmup', 'whole number 0–1000', integer(0, 1000)),
  debiasOption('schedule', 'schedule', '--schedule', 'constant | linear', oneOf(['constant', 'linear'] as const)),
  debiasOption('projection', 'projection', '--projection', '0 | 1', zeroOrOne.parse, zeroOrOne.format),
  debiasOption('equalizedOdds', 'equalizedOdds', '--equalized-odds', '0 | 1', zeroOrOne.parse, zeroOrOne.format),
  option<boolean>({
    name: 'baseline',
    type: '0 | 1',
    urlKey: 'baseline',
    cliFlag: '--baseline',
    ...zeroOrOne,
    get: (s) => s.config.baseline,
    set: (s, v) => {
      s.config.baseline = v;
    },
  }),
  choiceOption('optimizer', 'optimizer', '--optimizer', ['adam', 'sgd'] as const),
  option<number>({
    name: 'learningRate',
    type: 'number above 0, at most 1e6',
    urlKey: 'lr',
    cliFlag: '--lr',
    parse: (text) => {
      const v = plainNumber(text);
      return text.trim() !== '' && v > 0 && v <= 1e6 ? v : problem('must be a number above 0 and at most 1e6');
    },
    format: String,
    get: (s) => s.config.learningRate,
    set: (s, v) => {
      s.config.learningRate = v;
    },
  }),
  choiceOption('lrSchedule', 'lrSchedule', '--lr-schedule', ['constant', 'cosine'] as const),
  // Photos only (a run on the built-in data refuses it): see engine/data/augment.ts.
  choiceOption('augment', 'augment', '--augment', ['off', 'crop+flip'] as const),
  // Photos only, at most the stored size (the run refuses either otherwise): see BatchReader.
  option<number>({
    name: 'inputSize',
    type: 'whole number 8–320 (the models’ input size, below the stored --image-size: crops resize to it, evaluation reads the center)',
    urlKey: 'inputSize',
    cliFlag: '--input-size',
    parse: integer(8, 320),
    format: String,
    get: (s) => s.config.inputSize,
    set: (s, v) => {
      s.config.inputSize = v;
    },
  }),
  option<number>({
    name: 'freezeEpochs',
    type: 'whole number 0–1000 (epochs a model from a weight file trains only its new head)',
    urlKey: 'freezeEpochs',
    cliFlag: '--freeze-epochs',
    parse: integer(0, 1000),
    format: String,
    get: (s) => s.config.freezeEpochs ?? 0,
    set: (s, v) => {
      s.config.freezeEpochs = v;
    },
  }),
  option<BackendName>({
    name: 'backend',
    type: BACKEND_ORDER.join(' | '),
    urlKey: 'backend',
    cliFlag: '--backend',
    parse: oneOf(BACKEND_ORDER),
    format: String,
    get: (s) => s.backend,
    set: (s, v) => {
      s.backend = v;
    },
  }),
  option<number>({
    name: 'threads',
    type: `whole number ${WASM_THREADS.min}–${WASM_THREADS.max}`,
    urlKey: 'threads',
    cliFlag: '--threads',
    parse: integer(WASM_THREADS.min, WASM_THREADS.max),
    format: String,
    get: (s) => s.threads,
    set: (s, v) => {
      s.threads = v;
    },
  }),
  option<boolean>({
    name: 'charts',
    type: '0 | 1',
    urlKey: 'charts',
    ...zeroOrOne,
    get: (s) => s.charts,
    set: (s, v) => {
      s.charts = v;
    },
  }),
];

/** A preset's config with its short-run method overrides applied. */
export function presetConfig(preset: PresetName): ExperimentConfig {
  const base = structuredClone(EXPERIMENT_PRESETS[preset]) as ExperimentConfig;
  base.methods = base.methods.map((m) => methodChoice(preset, m.id, m.params));
  return base;
}

export function defaultSetup(preset: PresetName = 'lab'): Setup {
  return { preset, config: presetConfig(preset), charts: true };
}

/**
 * Applies option texts (by URL key or CLI flag) to a default setup, preset first. Returns the setup
 * and, for each text that cannot be used, a line naming the option, what it got and why; `notes` say
 * what was changed to make a value usable (a list's repeated values kept once).
 */
export function applyOptions(
  texts: Map<string, string>,
  keyOf: (o: OptionSpec<unknown>) => string | undefined,
  preset: PresetName = 'lab',
): { setup: Setup; problems: string[]; notes: string[] } {
  const setup = defaultSetup(preset);
  const problems: string[] = [];
  const notes: string[] = [];
  for (const o of OPTIONS) {
    const key = keyOf(o);
    const text = key === undefined ? undefined : texts.get(key);
    if (text === undefined) continue;
    const v = o.parse(text);
    if (isProblem(v)) {
      problems.push(`${key} ${v.problem}; it was ignored.`);
      continue;
    }
    const unchosen = settingsForUnchosenMethods(o.name, v, setup);
    if (unchosen) {
      problems.push(`${key} ${unchosen}; it was ignored.`);
      continue;
    }
    if (o.name === 'sweep') {
      // A swept value listed twice is one student: kept once, with the plan's note.
      const sweeps = v as ParamSweep[];
      notes.push(...duplicateNotes({ lambdas: [], methods: [], sweeps }));
      o.set(
        setup,
        sweeps.map((w) => ({ ...w, values: uniqueValues(w.values).values })),
      );
    } else if (Array.isArray(v)) {
      // A value listed twice would plan one cell twice: each is kept once, with a note.
      const { values, repeated } = uniqueValues(v);
      if (repeated.length) notes.push(`${key} listed ${repeated.join(', ')} more than once; each value is kept once.`);
      o.set(setup, values);
    } else o.set(setup, v);
  }
  return { setup, problems, notes };
}

/** Why hyper-parameters or λ lists name a method the setup does not train (the methods option comes first). */
function settingsForUnchosenMethods(name: string, value: unknown, setup: Setup): string | null {
  if (name !== 'params' && name !== 'methodLambdas') return null;
  const chosen = new Set(setup.config.methods.map((m) => m.id));
  const named = (value as { method: MethodChoice['id'] }[]).map((x) => x.method);
  const missing = [...new Set(named.filter((m) => !chosen.has(m)))];
  return missing.length
    ? `names ${missing.join(', ')}, not among the methods (${[...chosen].join(', ') || 'none'}): add ${missing.length > 1 ? 'them' : 'it'} to the methods or leave ${missing.length > 1 ? 'their' : 'its'} settings out`
    : null;
}

/** The URL query that restores a setup: only the options that differ from its preset's defaults. */
export function setupQuery(setup: Setup): string {
  const base = defaultSetup(setup.preset);
  const q = new URLSearchParams();
  for (const o of OPTIONS) {
    if (!o.urlKey) continue;
    const v = o.get(setup);
    if (v === undefined) continue;
    if (o.name !== 'preset' && o.format(v) === formatOrNull(o, o.get(base))) continue;
    q.set(o.urlKey, o.format(v));
  }
  return q.toString();
}

const formatOrNull = (o: OptionSpec<unknown>, v: unknown) => (v === undefined ? null : o.format(v));

/** The CLI's lines for the table's options: flag, what it takes. */
export function cliOptionHelp(): string[] {
  return OPTIONS.filter((o) => o.cliFlag).map((o) => `${o.cliFlag} <${o.type}>`);
}

/** A word for a POSIX shell: quoted when it holds anything but letters, digits and -_.,=:/+ . */
const shellWord = (w: string) => (/^[A-Za-z0-9_.,=:/+-]+$/.test(w) ? w : `'${w.replaceAll("'", "'\\''")}'`);

/**
 * The headless runner's command line that trains this setup again (the option table's CLI flags,
 * only what differs from the preset; the preset always named). `seeds` replaces --seed when several.
 */
export function setupCommand(setup: Setup, seeds?: number[]): string {
  const base = defaultSetup(setup.preset);
  const words = ['npm', 'run', 'lab', '--', '--preset', setup.preset];
  for (const o of OPTIONS) {
    if (!o.cliFlag || o.name === 'preset' || (seeds && seeds.length > 1 && o.name === 'seed')) continue;
    const v = o.get(setup);
    if (v === undefined || o.format(v) === formatOrNull(o, o.get(base))) continue;
    words.push(o.cliFlag, o.format(v));
  }
  if (seeds && seeds.length > 1) words.push('--seeds', seeds.join(','));
  return words.map(shellWord).join(' ');
}

/** The preset a stored config was made from (by its name), else the one its models suggest. */
export function presetOf(config: ExperimentConfig): PresetName {
  const named = PRESET_NAMES.find((p) => EXPERIMENT_PRESETS[p].name === config.name);
  if (named) return named;
  return PRESET_NAMES.find((p) => EXPERIMENT_PRESETS[p].teacherModel === config.teacherModel) ?? 'lab';
}
