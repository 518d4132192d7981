/**
 * What the lab shows about each distillation method — names, paper, hyper-parameters with their
 * defaults and one-line help — without any tensor code, so the page can list, edit and validate
 * methods without loading tfjs. The losses live in one file per method (kd.ts, rkd.ts, …).
 */

/** One editable hyper-parameter, shown in the UI with its default and a one-line explanation. */
export interface HyperParam {
  key: string;
  label: string;
  /** The symbol a sweep may name it by and labels show (T for a temperature); the key otherwise. */
  symbol?: string;
  default: number;
  min: number;
  max: number;
  step: number;
  /** A count (epochs): whole numbers only, on every path (form, URL, CLI, imported runs, manifests). */
  integer?: true;
  help: string;
}

export interface MethodInfo<Id extends string = MethodId> {
  id: Id;
  label: string;
  short: string;
  paper: string;
  params: HyperParam[];
  /** False for the labels-only baseline: the loop then skips the teacher's forward pass. */
  usesTeacher?: boolean;
  /** True when setup needs the teacher's class-mean embeddings. */
  needsClassMeans?: boolean;
}

/**
 * Every method the lab offers, in the order of the study's table. This list is where a method's id
 * comes from (MethodId below): a new method is one entry here, its loss file, and one line in the
 * registry (index.ts), whose type refuses to compile until every id has its losses.
 */
export const METHOD_INFO = [
  {
    id: 'kd',
    label: 'Classic KD (Hinton et al. 2015)',
    short: 'CKD',
    paper: 'arXiv 1503.02531',
    params: [
      {
        key: 'temperature',
        label: 'Temperature T',
        symbol: 'T',
        default: 4,
        min: 0.5,
        max: 50,
        step: 0.5,
        help: 'Softens both distributions so the student sees the teacher’s ranking of wrong classes.',
      },
      {
        key: 'alphaCE',
        label: 'α (CE)',
        default: 0.1,
        min: 0,
        max: 10,
        step: 0.05,
        help: 'Weight of the cross-entropy with the true labels.',
      },
      {
        key: 'alphaKD',
        label: 'α (KD)',
        default: 0.9,
        min: 0,
        max: 10,
        step: 0.05,
        help: 'Weight of the T²-scaled KL to the teacher.',
      },
    ],
  },
  {
    id: 'rkd',
    label: 'Relational KD (Park et al. 2019)',
    short: 'RKD',
    paper: 'arXiv 1904.05068',
    params: [
      {
        key: 'distanceWeight',
        label: 'Distance weight',
        default: 25,
        min: 0,
        max: 1000,
        step: 1,
        help: 'Weight of the pairwise-distance term (RepDistiller: 25). The lab averages it over the B(B−1) pairs i ≠ j; RepDistiller over all B² entries, so at the same weight the lab’s term is B/(B−1) larger (1.016× at B = 64).',
      },
      {
        key: 'angleWeight',
        label: 'Angle weight',
        default: 50,
        min: 0,
        max: 1000,
        step: 1,
        help: 'Weight of the triplet-angle term (RepDistiller: 50). The lab averages it over the B(B−1)² triplets with i ≠ j, k ≠ j; RepDistiller over all B³ entries, so at the same weight the lab’s term is B²/(B−1)² larger (1.032× at B = 64).',
      },
      {
        key: 'ceWeight',
        label: 'CE weight',
        default: 1,
        min: 0,
        max: 10,
        step: 0.1,
        help: 'Weight of the cross-entropy with the true labels.',
      },
    ],
  },
  {
    id: 'ctkd',
    label: 'Curriculum Temperature KD (Li et al. 2023)',
    short: 'CTKD',
    paper: 'arXiv 2211.16231',
    params: [
      {
        key: 'tMin',
        label: 'T min',
        default: 1,
        min: 0.1,
        max: 20,
        step: 0.1,
        help: 'Lowest temperature the learned T can reach.',
      },
      {
        key: 'tRange',
        label: 'T range',
        default: 20,
        min: 0,
        max: 100,
        step: 1,
        help: 'T = T_min + T_range·sigmoid(θ), so T ∈ (1, 21) by default.',
      },
      {
        key: 'curriculumEpochs',
        label: 'Curriculum epochs E_c',
        default: 10,
        min: 1,
        max: 500,
        step: 1,
        integer: true,
        help: 'Epochs over which the reversal weight grows from 0 to −1 (cosine).',
      },
      {
        key: 'thetaInit',
        label: 'θ init',
        default: 1,
        min: -10,
        max: 10,
        step: 0.1,
        help: 'Starting value of the temperature parameter θ.',
      },
      {
        key: 'alphaCE',
        label: 'α (CE)',
        default: 0.1,
        min: 0,
        max: 10,
        step: 0.05,
        help: 'Weight of the cross-entropy with the true labels.',
      },
      {
        key: 'alphaKD',
        label: 'α (KD)',
        default: 0.9,
        min: 0,
        max: 10,
        step: 0.05,
        help: 'Weight of the T²-scaled KL at the learned T.',
      },
    ],
  },
  {
    id: 'kdpp',
    label: 'KD++ feature norm & direction (Wang et al. 2023)',
    short: 'KD++',
    paper: 'arXiv 2305.17007',
    needsClassMeans: true,
    params: [
      {
        key: 'kdWeight',
        label: 'KD weight k',
        default: 1,
        min: 0,
        max: 20,
        step: 0.1,
        help: 'Weight of the classic KD term (1 within a model family, 3 across families).',
      },
      {
        key: 'ndWeight',
        label: 'ND weight n',
        default: 2,
        min: 0,
        max: 20,
        step: 0.1,
        help: 'Weight of the norm-and-direction term (2 within a family, 0.5 across).',
      },
      {
        key: 'temperature',
        label: 'Temperature T',
        symbol: 'T',
        default: 4,
        min: 0.5,
        max: 50,
        step: 0.5,
        help: 'Temperature of the KD term.',
      },
      {
        key: 'warmupEpochs',
        label: 'KD warm-up epochs',
        default: 20,
        min: 1,
        max: 500,
        step: 1,
        integer: true,
        help: 'The KD term is scaled by min(1, epoch/warm-up).',
      },
    ],
  },
  {
    id: 'dkd',
    label: 'Decoupled KD (Zhao et al. 2022)',
    short: 'DKD',
    paper: 'arXiv 2203.08679',
    params: [
      {
        key: 'alpha',
        label: 'α (target part)',
        default: 1,
        min: 0,
        max: 20,
        step: 0.1,
        help: 'Weight of TCKD, the KL over target vs. the rest.',
      },
      {
        key: 'beta',
        label: 'β (non-target part)',
        default: 8,
        min: 0,
        max: 50,
        step: 0.5,
        help: 'Weight of NCKD, the KL among the non-target classes.',
      },
      {
        key: 'temperature',
        label: 'Temperature T',
        symbol: 'T',
        default: 4,
        min: 0.5,
        max: 50,
        step: 0.5,
        help: 'Temperature of both parts.',
      },
      {
        key: 'warmupEpochs',
        label: 'Warm-up epochs',
        default: 20,
        min: 1,
        max: 500,
        step: 1,
        integer: true,
        help: 'The KD parts are scaled by min(1, epoch/warm-up).',
      },
      {
        key: 'ceWeight',
        label: 'CE weight',
        default: 1,
        min: 0,
        max: 10,
        step: 0.1,
        help: 'Weight of the cross-entropy with the true labels.',
      },
    ],
  },
  {
    id: 'none',
    label: 'No distillation (labels only)',
    short: 'Labels only',
    paper: 'Baseline',
    params: [],
    usesTeacher: false,
  },
] as const satisfies readonly MethodInfo<string>[];

/** A method's id, as the catalog spells it. */
export type MethodId = (typeof METHOD_INFO)[number]['id'];

/** The distillation methods proper (every entry but the labels-only baseline). */
export const DISTILLATION_METHODS: readonly MethodInfo[] = METHOD_INFO.filter((m) => m.id !== 'none');

export function isMethodId(id: unknown): id is MethodId {
  return METHOD_INFO.some((m) => m.id === id);
}

export function methodInfo(id: string): MethodInfo {
  const m: MethodInfo | undefined = METHOD_INFO.find((x) => x.id === id);
  if (!m) throw new Error(`Unknown method "${id}". Known: ${METHOD_INFO.map((x) => x.id).join(', ')}.`);
  return m;
}

export function withDefaults(method: MethodInfo, overrides: Record<string, number> = {}): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of method.params) {
    const v = overrides[p.key];
    out[p.key] = v === undefined ? p.default : v;
  }
  return out;
}

export function validateParams(method: MethodInfo, params: Record<string, number>): string[] {
  const errors: string[] = [];
  for (const p of method.params) {
    const v = params[p.key];
    if (!Number.isFinite(v) || v < p.min || v > p.max)
      errors.push(`${method.short}: ${p.label} must be between ${p.min} and ${p.max} (got ${v}).`);
    else if (p.integer && !Number.isInteger(v))
      errors.push(`${method.short}: ${p.label} must be a whole number (got ${v}).`);
  }
  return errors;
}

/** A method's hyper-parameter by its key or symbol ('temperature' or 'T'), or undefined. */
export function paramNamed(method: MethodInfo, name: string): HyperParam | undefined {
  return method.params.find((p) => p.key === name) ?? method.params.find((p) => p.symbol === name);
}

/** How a label names a hyper-parameter: its symbol, else its key. */
export const paramSymbol = (p: HyperParam) => p.symbol ?? p.key;
