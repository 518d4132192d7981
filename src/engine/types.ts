import type { MethodId } from './distill/catalog';
import type { Recommendation } from './metrics/results';
import type { PixelChunks } from './data/pixelChunks';
import type {
  ClassificationMetrics,
  FairnessMetrics,
  ModelSize,
  PairedIntervals,
  ValidationFigures,
} from './metrics/results';

/**
 * Plain, serializable types shared by the engine, the worker protocol, storage and the UI.
 * Nothing here holds a tensor: these objects go into IndexedDB, JSON exports and the CLI.
 */

export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';
export const BACKEND_ORDER: readonly BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

export function isBackendName(s: unknown): s is BackendName {
  return typeof s === 'string' && (BACKEND_ORDER as readonly string[]).includes(s);
}

/** The wasm backend's thread count a user may ask for (URL, CLI, worker message). */
export const WASM_THREADS = { min: 1, max: 16 } as const;

export interface BackendReport {
  name: BackendName;
  /** Set when the URL or CLI forced a backend. */
  forced?: BackendName;
  /** One line per backend that was tried before `name` and why it was passed over. */
  fallbacks: string[];
  /** wasm: the threads XNNPACK runs on (1 without cross-origin isolation; tfjs caps it at half the logical cores). */
  threads?: number;
  /** webgpu: the adapter the run used, so a result says which GPU (or software device) made it. */
  adapter?: AdapterReport;
  /**
   * wasm: the convolution gradients' kernels — 'relaxed' (the project's SIMD kernels with fused
   * multiply-add), 'simd' (the same, multiply then add), or why neither runs (XNNPACK compositions
   * and JavaScript loops then do the work).
   */
  kernels?: string;
  /** wasm: the threads the SIMD kernels run on (1 unless tfjs runs its threaded build). */
  kernelThreads?: number;
}

export interface AdapterReport {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** A CPU implementation of WebGPU (SwiftShader and the like): the right numbers, slowly. */
  software: boolean;
  /** The adapter's buffer limits (bytes): what one tensor may take on it. */
  limits?: { maxBufferSize: number; maxStorageBufferBindingSize: number };
}

export interface SyntheticDatasetConfig {
  kind: 'synthetic';
  /** Image side in pixels (square RGB). */
  size: number;
  examples: number;
  classes: number;
  /** 0 = every class is half group A, 1 = classes are as one-sided as their design allows. */
  biasStrength: number;
  /** Share of labels replaced by a uniformly drawn other class. */
  labelNoise: number;
  /** How visible the group cue is (0 = invisible, 1 = strong). */
  cueStrength: number;
  seed: number;
  /**
   * Which generator: 'pairs' (the first design: confusable pairs, a tint and corner mark; the default)
   * or 'shortcut' (pairs told apart by a faint detail, a frame cue, counterfactual twins).
   */
  design?: 'pairs' | 'shortcut';
  /**
   * Shortcut design: the share of a leaning pair's images (scaled by the pair's lean) whose telling
   * detail is not drawn. There the group is the only clue left, even for a model that reads every
   * detail, so a teacher carries bias too. 0 or absent: every detail is drawn.
   */
  hiddenDetail?: number;
  /** Shortcut design: scales the detail's contrast (1 or absent: as designed; lower is harder to read). */
  detailContrast?: number;
}

/** A dataset loaded from the user's own files (folder + labels CSV, or a WIDER Attribute copy), read back from the cache by key. */
export interface ImportedDatasetConfig {
  kind: 'imported';
  key: string;
  name: string;
  size: number;
  count: number;
  source: 'csv' | 'wider';
}

export type DatasetConfig = SyntheticDatasetConfig | ImportedDatasetConfig;

/** Split codes stored per example. */
export const SPLIT = { train: 0, val: 1, test: 2 } as const;

/** A dataset held in memory as compact typed arrays (one image = size*size*3 bytes, HWC). */
export interface Dataset {
  key: string;
  name: string;
  config: DatasetConfig;
  size: number;
  count: number;
  /** size × size × 3 bytes an image: all in memory, or in chunks read on demand (large imported data). */
  images: Uint8Array | PixelChunks;
  labels: Uint8Array;
  /** 0 = first group, 1 = second group, -1 = unknown (excluded from fairness metrics). */
  groups: Int8Array;
  /** SPLIT codes. */
  split: Uint8Array;
  classNames: string[];
  groupNames: [string, string];
}

/** A dataset whose pixels are all in memory: the built-in data, and what the page stores in one record. */
export type InMemoryDataset = Dataset & { images: Uint8Array };

export type { MethodId } from './distill/catalog';
export type * from './metrics/results';

/** A weight file as a run records it: its name, size and SHA-256 (what the reproduce command asks for). */
export interface WeightFileRef {
  name: string;
  bytes: number;
  sha256: string;
}

export interface MethodChoice {
  id: MethodId;
  /** Overrides of the method's default hyper-parameters. */
  params?: Record<string, number>;
  /** This method's own λ values in place of the experiment's (the study's grid differs by method). */
  lambdas?: number[];
}

/** One hyper-parameter of one method given several values: each value is a student of its own. */
export interface ParamSweep {
  method: MethodId;
  /** The hyper-parameter's key (catalog.ts), e.g. 'temperature'. */
  param: string;
  values: number[];
}

export interface DebiasConfig {
  /** Adversary hidden units. */
  hidden: number;
  adversaryLr: number;
  /** Epochs of student distillation before λ turns on (the adversary trains throughout). */
  warmupEpochs: number;
  schedule: 'constant' | 'linear';
  /** Zhang et al. 2018: remove the component of the task gradient that helps the adversary. */
  projection: boolean;
  /** The adversary also reads the one-hot true label (equalized odds). */
  equalizedOdds: boolean;
}

export interface ExperimentConfig {
  name: string;
  dataset: DatasetConfig;
  teacherModel: string;
  /** "Bring your own teacher": a trained tfjs model (saved where `key` says) used instead of training one. */
  teacherImport?: { key: string; name: string };
  /** The learning rate over a model's epochs: constant (default) or cosine to 0 (a fine-tune's usual schedule). */
  lrSchedule?: 'constant' | 'cosine';
  /** Epochs at the start of a model from a weight file during which only its new head learns (0: none). */
  freezeEpochs?: number;
  /** Training-time random-resized crop and flip for photos (engine/data/augment.ts); default off. */
  augment?: 'off' | 'crop+flip';
  /**
   * The size the models see, below the stored images' size (photos): training crops resize to it, and
   * evaluation reads the center square (torchvision: Resize(stored), CenterCrop(input)). Absent: the
   * stored size.
   */
  inputSize?: number;
  /** Weight files (torchvision or timm) the teacher and the student start from, recorded so a run names them. */
  pretrained?: { teacher?: WeightFileRef; student?: WeightFileRef };
  studentModel: string;
  teacherEpochs: number;
  studentEpochs: number;
  batchSize: number;
  learningRate: number;
  /** The models' optimizer; the adversary always uses Adam. Default 'adam'. */
  optimizer?: 'adam' | 'sgd';
  seed: number;
  methods: MethodChoice[];
  lambdas: number[];
  /** Hyper-parameters swept per method (× λ): `--sweep kd.T=1,2,4,8`. */
  sweeps?: ParamSweep[];
  debias: DebiasConfig;
  /** Also train the student from labels alone (no teacher), the reference every method must beat. */
  baseline: boolean;
}

export type Curve = { step: number; epoch: number; terms: Record<string, number> }[];

/** One trained (or imported) model and its measurements; students also carry their paired intervals. */
export interface ModelResult extends Partial<PairedIntervals> {
  role: 'teacher' | 'student' | 'baseline';
  label: string;
  model: string;
  method: MethodId;
  lambda: number;
  /**
   * The student's line: its method with the swept hyper-parameters' values ("CKD T=2"); the label
   * without λ. Absent in results stored before sweeps existed (then the method is the line).
   */
  series?: string;
  /** The method's hyper-parameters this student was trained with. */
  params?: Record<string, number>;
  size: ModelSize;
  test: ClassificationMetrics;
  fairness: FairnessMetrics;
  /** Top-1 accuracy on the validation split after each epoch (the split used for model selection). */
  valAccuracy: number[];
  curve: Curve;
  trainSeconds: number;
  /** Where the trained model is saved (a tf.io URL such as indexeddb://…), when it was. */
  modelKey?: string;
  /** The predicted class of each test example, in test-split order: what paired intervals across models read. */
  testPredictions?: number[];
  /** The predicted class of each test example's counterfactual twin (built-in shortcut design only). */
  twinPredictions?: number[];
  /** The same figures on the validation split, where the lab chooses (best epoch, recommended λ, Pareto front). */
  validation?: ValidationFigures;
}

/** A student whose training diverged, named with the step and the loss term. */
export interface RunFailure {
  label: string;
  message: string;
}

/** A tensor as plain data: what checkpoints store. */
export interface SavedTensor {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
  data: Float32Array | Int32Array;
}

/** An optimizer's state: its step count and its slots (Adam: first then second moments, in variable order). */
export interface OptimizerSnapshot {
  kind: 'adam' | 'sgd';
  iterations: number;
  /** Adam's running β₁ᵗ and β₂ᵗ (bias correction), saved exactly. */
  accBeta1?: number;
  accBeta2?: number;
  slots: SavedTensor[];
}

/**
 * A model in training as of the end of an epoch: everything needed to go on from there as if it
 * had never stopped (the epoch order is seeded by epoch number, so nothing else is needed).
 */
export interface RunSnapshot {
  /** The run's label ('Teacher' or a student's). */
  label: string;
  /** Epochs finished. */
  epoch: number;
  epochs: number;
  model: SavedTensor[];
  optimizer: OptimizerSnapshot;
  /** The method's own trained state (CTKD's temperature, KD++'s projection), in the method's order. */
  method: SavedTensor[];
  adversary?: { model: SavedTensor[]; optimizer: OptimizerSnapshot };
  /** The best weights by validation accuracy so far (restored at the end of training). */
  best: { accuracy: number; weights: SavedTensor[] } | null;
  curve: Curve;
  valAccuracy: number[];
  trainSeconds: number;
}

/** What a sweep has finished, checkpointed when it starts, after its teacher and after each student. */
export interface SweepProgress {
  /** Null until the teacher has finished. */
  teacher: ModelResult | null;
  students: ModelResult[];
  failures: RunFailure[];
  startedAt: string;
}

/** The models a sweep has finished (its teacher as 'Teacher', trained students, diverged ones): their epoch snapshots are stale. */
export function finishedLabels(progress: SweepProgress): Set<string> {
  return new Set([
    ...(progress.teacher ? ['Teacher'] : []),
    ...progress.students.map((s) => s.label),
    ...progress.failures.map((f) => f.label),
  ]);
}

export interface ExperimentResult {
  config: ExperimentConfig;
  backend: BackendReport;
  dataset: {
    key: string;
    name: string;
    count: number;
    train: number;
    val: number;
    test: number;
    classNames: string[];
    groupNames: [string, string];
    fromCache: boolean;
  };
  teacher: ModelResult;
  students: ModelResult[];
  /** Students whose training diverged (NaN/Inf loss): named, with the step and the loss term. */
  failures?: RunFailure[];
  /** The recommended λ of each method with debiased runs, chosen on validation (each says its rule). */
  recommendations?: Recommendation[];
  startedAt: string;
  seconds: number;
}

export type Phase = 'teacher' | 'student';

export type LabEvent =
  | { type: 'stage'; message: string }
  | {
      type: 'progress';
      phase: Phase;
      runLabel: string;
      run: number;
      runs: number;
      epoch: number;
      epochs: number;
      step: number;
      steps: number;
      /** Over the whole experiment, 0..1. */
      fraction: number;
      etaSeconds: number | null;
    }
  | { type: 'loss'; runLabel: string; phase: Phase; step: number; epoch: number; terms: Record<string, number> }
  | { type: 'epoch'; runLabel: string; phase: Phase; epoch: number; valAccuracy: number }
  | { type: 'result'; result: ModelResult }
  | { type: 'runFailed'; label: string; message: string }
  | { type: 'done'; result: ExperimentResult }
  | { type: 'cancelled' }
  | { type: 'error'; message: string };

/** A finished run as the lab keeps it (IndexedDB) and exports it (runs JSON). */
export interface StoredRun {
  id: string;
  name: string;
  createdAt: string;
  result: ExperimentResult;
  /** The saved models this run owns (whole tf.io keys); [] for an imported run. Absent on runs stored before. */
  ownedModels?: string[];
  /** The record's size in bytes (its JSON), measured once when stored: the runs list never re-serialises a run. */
  bytes?: number;
  /** The user's own words on the run (the runs list's Notes), and tags to find it by. */
  notes?: string;
  tags?: string[];
}

/** A finished run's name: its dataset (imported) or preset, what it swept (methods, λ), and when it started. */
export function runName(result: ExperimentResult): string {
  const what =
    result.config.dataset.kind === 'imported' ? result.dataset.name : result.config.name.replace(/ \(.*\)$/, '');
  const methods = [...new Set(result.students.filter((s) => s.role === 'student').map((s) => s.label.split(' λ=')[0]))];
  const swept = methods.length ? ` · ${methods.join(', ')} · λ ${result.config.lambdas.join(', ')}` : '';
  // The seed tells apart runs of one setup (the Across-seeds table, the overlay's legends).
  return `${what}${swept} · seed ${result.config.seed} · ${new Date(result.startedAt).toLocaleString()}`;
}

/**
 * A stored or exported result with today's field names: before the rename a gain of accuracy was
 * stored as `accuracyCostPoints` / `accuracyCostInterval` (Δaccuracy, gain positive — the opposite of
 * what "cost" says). Results written since are returned unchanged; nothing else is touched.
 */
export function withCurrentFieldNames<T>(result: T): T {
  const rename = (o: Record<string, unknown> | undefined, from: string, to: string) => {
    if (o && from in o && !(to in o)) {
      o[to] = o[from];
      delete o[from];
    }
  };
  const r = result as unknown as {
    students?: Record<string, unknown>[];
    recommendations?: { validation?: Record<string, unknown>; test?: Record<string, unknown> }[];
  };
  for (const s of r.students ?? []) rename(s, 'accuracyCostInterval', 'accuracyChangeInterval');
  for (const rec of r.recommendations ?? []) {
    rename(rec.validation, 'accuracyCostPoints', 'accuracyChangePoints');
    rename(rec.test, 'accuracyCostPoints', 'accuracyChangePoints');
  }
  return result;
}
