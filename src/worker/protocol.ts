import type { Prediction } from '../engine/models/predict';
import {
  WASM_THREADS,
  type BackendName,
  type BackendReport,
  type ExperimentConfig,
  type LabEvent,
} from '../engine/types';

/** Changes to stored records, which only the worker writes. */
export type StorageOp =
  | { kind: 'renameRun'; id: string; name: string }
  /** The user's notes and tags on a run (replacing the ones it had). */
  | { kind: 'annotateRun'; id: string; notes: string; tags: string[] }
  /** A runs export, read, checked against the full schema and stored in one transaction by the worker. */
  | { kind: 'importRuns'; file: Blob }
  /** The worker deletes the run and the models it saved itself (matched by whole key). */
  | { kind: 'deleteRun'; id: string }
  | { kind: 'discardSweep'; id: string }
  /** The interrupted sweeps that read a stored dataset or an imported teacher (asked before deleting it). */
  | { kind: 'sweepsUsing'; key: string }
  /**
   * Deletes a stored dataset. Refused while an interrupted sweep reads it, unless that sweep is among
   * `discardSweeps` (the user confirmed): then the sweep is discarded whole first.
   */
  | { kind: 'deleteDataset'; key: string; discardSweeps?: string[] }
  /** Imported teachers (tfjs models the user brought) with their size and the stored runs that used them. */
  | { kind: 'listTeachers' }
  | { kind: 'deleteTeacher'; key: string; discardSweeps?: string[] }
  /** Removes saved models that no stored run, sweep record or live sweep owns; answers what it removed. */
  | { kind: 'cleanOrphans' };

/** Work on saved models and stored records, answered by a 'reply' with the same id. */
export type WorkerOp = ModelOp | StorageOp;

/** Work on saved models. */
export type ModelOp =
  | {
      kind: 'predict';
      image: Blob;
      name: string;
      size: number;
      models: { key: string; label: string }[];
      /** Models trained on the built-in shortcut design: the photo is shown with each group's cue painted on. */
      cue?: { cueStrength: number; groupNames: [string, string] };
    }
  | { kind: 'disagreements'; datasetKey: string; a: string; b: string; limit: number }
  /** How sure the teacher is of a photo against how sure it is of the test images (how far the photo is from them). */
  | { kind: 'typicality'; image: Blob; name: string; size: number; teacher: string; datasetKey: string }
  | { kind: 'exportModel'; key: string }
  | { kind: 'gallery'; dataset: ExperimentConfig['dataset']; perCell: number }
  /** Times a few steps of this setup here and now: how long its sweep should take. */
  | { kind: 'estimate'; config: ExperimentConfig }
  | { kind: 'deleteModels'; keys: string[] }
  | { kind: 'importTeacher'; files: File[] }
  /** A torchvision or timm weight file for efficientnet-b0/b3: read, checked, then kept by its SHA-256. */
  | { kind: 'importWeights'; file: File; model: string }
  /** The top 5 ImageNet classes a kept weight file sees in a photo (its 1000-class head). */
  | { kind: 'checkWeights'; weights: { name: string; sha256: string; model: string }; image: File }
  | {
      kind: 'importFolder';
      files: File[];
      size: number;
      source: 'csv' | 'wider';
      wider?: { mode: 'image' | 'person'; classes: 'clusters' | 'scenes' };
      seed: number;
    };

/** An interrupted sweep that reads a dataset or teacher someone wants to delete. */
export interface SweepUsing {
  id: string;
  /** What the user knows it by: its methods and λ, when it was last saved. */
  name: string;
  finished: number;
  total: number;
  updatedAt: string;
}

export interface ExportedModel {
  modelTopology: unknown;
  weightSpecs: unknown[];
  weightData: ArrayBuffer;
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
}

export interface Disagreement {
  index: number;
  pixels: Uint8Array;
  label: number;
  group: number;
  a: number;
  b: number;
}

/** Messages the page sends to the engine worker. */
export type ToWorker =
  | { type: 'init'; backend?: BackendName; threads?: number }
  | { type: 'run'; config: ExperimentConfig; runId?: string; resume?: boolean }
  | { type: 'cancel' }
  | { type: 'request'; id: number; op: WorkerOp };

/** Messages the worker sends back: engine events plus its own. */
export type FromWorker =
  | LabEvent
  | { type: 'backend'; report: BackendReport }
  | { type: 'dataset'; name: string; count: number; fromCache: boolean; warning?: string }
  | {
      type: 'importProgress';
      done: number;
      total: number;
      bytes: number;
      etaSeconds: number | null;
      /** Chunks an interrupted import of the same folder had stored, found and not prepared again. */
      resumedChunks?: number;
    }
  /** After 'done': the finished run is stored (its sweep record dropped in the same transaction), or why not. */
  | { type: 'stored'; id: string }
  | { type: 'storeFailed'; id: string; message: string }
  /** Another tab opened the lab's database at a newer version: this tab's storage is closed (why). */
  | { type: 'storageClosed'; message: string }
  /**
   * A Resume that cannot go on, and why: the sweep was discarded (elsewhere), runs in another tab, or
   * lost what it reads (its dataset or imported teacher) — then it can only be discarded or exported.
   */
  | { type: 'resumeFailed'; id: string; reason: 'discarded' | 'elsewhere' | 'missing'; message: string }
  | { type: 'reply'; id: number; ok: true; value: unknown }
  | { type: 'reply'; id: number; ok: false; error: string };

const MODEL_OPS = [
  'predict',
  'typicality',
  'disagreements',
  'exportModel',
  'deleteModels',
  'importFolder',
  'importTeacher',
  'importWeights',
  'checkWeights',
  'gallery',
  'estimate',
];
export const STORAGE_OPS: readonly string[] = [
  'renameRun',
  'annotateRun',
  'importRuns',
  'deleteRun',
  'discardSweep',
  'sweepsUsing',
  'deleteDataset',
  'listTeachers',
  'deleteTeacher',
  'cleanOrphans',
];
const OP_KINDS = [...MODEL_OPS, ...STORAGE_OPS];
const isText = (v: unknown) => typeof v === 'string';

/** Why a storage request is malformed, or null. */
function storageOpProblem(op: Record<string, unknown>): string | null {
  switch (op.kind) {
    case 'renameRun':
      return isText(op.id) && isText(op.name) ? null : 'renameRun request without a run id and a name';
    case 'annotateRun':
      return isText(op.id) && isText(op.notes) && Array.isArray(op.tags) && op.tags.every(isText)
        ? null
        : 'annotateRun request without a run id, notes and a list of tags';
    case 'importRuns':
      return op.file instanceof Blob ? null : 'importRuns request without a file';
    case 'deleteRun':
    case 'discardSweep':
      return isText(op.id) ? null : `${op.kind} request without an id`;
    case 'sweepsUsing':
      return isText(op.key) ? null : 'sweepsUsing request without a key';
    case 'deleteDataset':
    case 'deleteTeacher':
      if (!isText(op.key))
        return `${op.kind} request without a ${op.kind === 'deleteDataset' ? 'dataset' : 'model'} key`;
      return op.discardSweeps === undefined || (Array.isArray(op.discardSweeps) && op.discardSweeps.every(isText))
        ? null
        : `${op.kind} request whose discardSweeps is not a list of sweep ids`;
    default:
      return null;
  }
}

/** Checks a message at the boundary: a malformed one becomes an error, never a silent hang. */
export function parseToWorker(data: unknown): ToWorker | { type: 'invalid'; reason: string } {
  if (!data || typeof data !== 'object') return { type: 'invalid', reason: 'message is not an object' };
  const m = data as Record<string, unknown>;
  switch (m.type) {
    case 'init':
      return {
        type: 'init',
        backend: typeof m.backend === 'string' ? (m.backend as BackendName) : undefined,
        threads:
          typeof m.threads === 'number' &&
          Number.isInteger(m.threads) &&
          m.threads >= WASM_THREADS.min &&
          m.threads <= WASM_THREADS.max
            ? m.threads
            : undefined,
      };
    case 'cancel':
      return { type: 'cancel' };
    case 'run': {
      const c = m.config as Record<string, unknown> | undefined;
      if (!c || typeof c !== 'object' || !c.dataset || !Array.isArray(c.methods) || !Array.isArray(c.lambdas)) {
        return { type: 'invalid', reason: 'run message without a complete experiment config' };
      }
      return {
        type: 'run',
        config: c as unknown as ExperimentConfig,
        runId: typeof m.runId === 'string' ? m.runId : undefined,
        resume: m.resume === true,
      };
    }
    case 'request': {
      const op = m.op as Record<string, unknown> | undefined;
      if (typeof m.id !== 'number') return { type: 'invalid', reason: 'request without a numeric id' };
      if (!op || typeof op !== 'object' || !OP_KINDS.includes(op.kind as string))
        return { type: 'invalid', reason: `request ${m.id} with an unknown operation` };
      if (
        op.kind === 'predict' &&
        (!(op.image instanceof Blob) || !Array.isArray(op.models) || typeof op.size !== 'number')
      )
        return { type: 'invalid', reason: 'predict request without an image, a size and models' };
      if (
        op.kind === 'typicality' &&
        (!(op.image instanceof Blob) || typeof op.size !== 'number' || !isText(op.teacher) || !isText(op.datasetKey))
      )
        return { type: 'invalid', reason: 'typicality request without an image, a size, a teacher and a dataset' };
      if (
        op.kind === 'importFolder' &&
        (!Array.isArray(op.files) || !op.files.every((f) => f instanceof Blob) || typeof op.size !== 'number')
      )
        return { type: 'invalid', reason: 'import request without files and an image size' };
      const problem = storageOpProblem(op);
      if (problem) return { type: 'invalid', reason: problem };
      return { type: 'request', id: m.id, op: op as unknown as WorkerOp };
    }
    default:
      return { type: 'invalid', reason: `unknown message type ${JSON.stringify(m.type)}` };
  }
}

/** An imported teacher as the teacher list shows it. */
export interface StoredTeacher {
  key: string;
  name: string;
  bytes: number;
  savedAt: string | null;
  /** Names of the stored runs whose teacher it was (their photo demo loses it when it is deleted). */
  usedBy: string[];
}

export interface ImportedTeacher {
  key: string;
  name: string;
  inputSize: number;
  classes: number;
  params: number;
  outputs: number;
}

/** The photo as one model input (as the model sees it, at training resolution) and each model's top classes. */
/** The teacher's confidence (top-class probability) on a photo, placed among its confidences on the test images. */
export interface Typicality {
  confidence: number;
  /** Share of test images the teacher is less sure of than of the photo (0: the photo is the least familiar). */
  percentile: number;
  testMedian: number;
  testImages: number;
}

export interface PhotoVersion {
  /** "as uploaded", or the group whose cue is painted on. */
  name: string;
  group: 0 | 1 | null;
  pixels: Uint8Array;
  predictions: Prediction[];
}
