import { SYNTHETIC_PRESETS } from './data/synthetic';
import type { DebiasConfig, ExperimentConfig, SyntheticDatasetConfig } from './types';

export const DEFAULT_DEBIAS: DebiasConfig = {
  hidden: 32,
  adversaryLr: 3e-3,
  warmupEpochs: 1,
  schedule: 'constant',
  projection: false,
  equalizedOdds: false,
};

/** The papers' warm-ups (20 epochs) and CTKD's curriculum (10) assume 200-epoch runs; short lab runs scale them. */
function shortRunOverrides(epochs: number) {
  return {
    kdpp: { warmupEpochs: Math.max(1, Math.round(epochs / 2)) },
    dkd: { warmupEpochs: Math.max(1, Math.round(epochs / 2)) },
    ctkd: { curriculumEpochs: Math.max(1, Math.round(epochs / 2)) },
  } as Record<string, Record<string, number>>;
}

export const METHOD_OVERRIDES = {
  tiny: shortRunOverrides(5),
  quick: shortRunOverrides(10),
  lab: shortRunOverrides(10),
};

export type PresetName = 'tiny' | 'quick' | 'lab';

/**
 * What a preset's default sweep costs, as measured (the page's preset list, its no-GPU warning and the
 * README say the same). lab on CPU, with the fused element-wise ops, from the cells' own times in
 * docs/results/lab.json (five seeds, wasm on one thread of this project's 2-core machine, two shards side
 * by side): the teacher 8–11 min of training (12 epochs), each CKD student about 4 min (2½–17), the
 * labels-only student about 2½ — about 25 min for teacher, labels-only and CKD at λ 0, 1, 2; on a GPU not
 * yet timed (no GPU was at hand).
 */
export const PRESET_COST: Record<PresetName, { cpu: string; gpu: string | null }> = {
  tiny: { cpu: 'seconds', gpu: null },
  quick: { cpu: 'about 3 minutes on a 2-core CPU', gpu: null },
  lab: { cpu: 'about 25 minutes on a 2-core CPU', gpu: null },
};

/** A preset always runs on the built-in generated dataset. */
export type SyntheticExperimentConfig = ExperimentConfig & { dataset: SyntheticDatasetConfig };

export const EXPERIMENT_PRESETS: Record<PresetName, SyntheticExperimentConfig> = {
  tiny: {
    name: 'Tiny (tests, any CPU)',
    dataset: SYNTHETIC_PRESETS.tiny,
    teacherModel: 'tiny-teacher',
    studentModel: 'tiny-student',
    teacherEpochs: 8,
    studentEpochs: 5,
    batchSize: 32,
    learningRate: 0.005,
    seed: 0,
    methods: [{ id: 'kd' }],
    lambdas: [0],
    debias: DEFAULT_DEBIAS,
    baseline: true,
  },
  quick: {
    name: 'Quick story (any CPU, about 3 minutes)',
    dataset: SYNTHETIC_PRESETS.quick,
    teacherModel: 'tiny-teacher',
    studentModel: 'small-student',
    teacherEpochs: 6,
    studentEpochs: 10,
    batchSize: 32,
    learningRate: 0.005,
    seed: 0,
    methods: [{ id: 'kd' }],
    lambdas: [0, 1, 2, 4],
    // Equal recall across groups is the goal: the adversary also reads the true label (equalized odds),
    // so it removes what the output says about the group beyond the class, not the class itself.
    debias: { ...DEFAULT_DEBIAS, equalizedOdds: true },
    baseline: true,
  },
  lab: {
    name: 'Lab (the study’s story: a biased teacher, a student that amplifies it)',
    dataset: SYNTHETIC_PRESETS.lab,
    teacherModel: 'lab-teacher',
    studentModel: 'lab-student',
    teacherEpochs: 12,
    studentEpochs: 10,
    batchSize: 64,
    learningRate: 0.002,
    seed: 0,
    methods: [{ id: 'kd' }],
    lambdas: [0, 1, 2],
    // As on quick: the adversary reads the true label too (equalized odds), so it removes what the
    // output says about the group beyond the class.
    debias: { ...DEFAULT_DEBIAS, equalizedOdds: true },
    baseline: true,
  },
};

/** A method choice with the preset's short-run overrides applied. */
export function methodChoice(preset: PresetName, id: string, params: Record<string, number> = {}) {
  return { id, params: { ...(METHOD_OVERRIDES[preset][id] ?? {}), ...params } } as ExperimentConfig['methods'][number];
}
