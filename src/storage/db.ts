import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { DatasetConfig, ExperimentConfig, RunSnapshot, StoredRun, SweepProgress } from '../engine/types';

/**
 * The app's own IndexedDB database (tf.io keeps its models in a separate one, `tensorflowjs`): its
 * schema and record kinds. Each kind has its module (datasets.ts, runs.ts, sweeps.ts) and one writer:
 * the engine worker writes every record; the page only reads (and asks the worker for changes).
 * Typed arrays are stored as ArrayBuffers: Blobs are unreliable in some browsers' IndexedDB.
 */

export const DB_NAME = 'fairdistill-lab';
export const DB_VERSION = 3;

export interface StoredDataset {
  key: string;
  name: string;
  config: DatasetConfig;
  size: number;
  count: number;
  classNames: string[];
  groupNames: [string, string];
  /** The pixels; empty when they are stored in `chunks` records (datasetChunks). */
  images: ArrayBuffer;
  /** How many datasetChunks records hold the pixels (absent: all in `images`). */
  chunks?: number;
  /**
   * Images in each chunk, when the chunks hold whole images (an imported folder, prepared chunk by chunk):
   * training reads them a few at a time instead of reassembling the pixels. The chunks are stored under
   * `chunkKey` (the preparation's key: the dataset's own is known only once every image is read).
   */
  chunkImages?: number[];
  chunkKey?: string;
  labels: ArrayBuffer;
  groups: ArrayBuffer;
  split: ArrayBuffer;
  bytes: number;
  createdAt: string;
}

export type { StoredRun } from '../engine/types';

/** What the dataset list shows, without reading any image: written with the dataset, in one transaction. */
export type DatasetInfo = Omit<StoredDataset, 'images' | 'labels' | 'groups' | 'split'>;

/** One slice of a dataset's pixels: large datasets never sit in a single IndexedDB value. */
export interface DatasetChunk {
  key: string;
  index: number;
  bytes: ArrayBuffer;
  /** A prepared chunk's items (the folder plan's indices it holds) and what it skipped: what a resumed import reads. */
  items?: number[];
  skipped?: { path: string; reason: string }[];
}

/** Pixels per chunk record (bytes). 16 MB keeps each structured clone small for every browser. */
export const CHUNK_BYTES = 16 * 1024 * 1024;

/** A sweep in progress: what it has finished, and where the model in training is (its snapshot is in runSnapshots). */
export interface StoredSweep extends SweepProgress {
  id: string;
  config: ExperimentConfig;
  updatedAt: string;
  total: number;
  /** The model in training as of its last epoch checkpoint. */
  current?: { label: string; epoch: number; epochs: number; bytes: number };
}

/** The epoch checkpoint of a sweep's model in training: one per sweep, replaced every epoch. */
export interface StoredSnapshot {
  id: string;
  snapshot: RunSnapshot;
}

interface LabSchema extends DBSchema {
  sweeps: { key: string; value: StoredSweep };
  runSnapshots: { key: string; value: StoredSnapshot };
  datasets: { key: string; value: StoredDataset };
  datasetInfo: { key: string; value: DatasetInfo };
  datasetChunks: { key: [string, number]; value: DatasetChunk };
  runs: { key: string; value: StoredRun; indexes: { createdAt: string } };
}

export type LabDb = IDBPDatabase<LabSchema>;

let shared: Promise<LabDb> | null = null;

/** Told when opening waits on another tab that holds an older version of the database open. */
let onBlocked: ((message: string) => void) | null = null;
export function whenBlocked(listener: (message: string) => void): void {
  onBlocked = listener;
}

/** Why this context's connection was closed for good (a newer version opened elsewhere), if it was. */
let closedReason: string | null = null;
let onClosed: ((message: string) => void) | null = null;

export const NEWER_VERSION_MESSAGE =
  'the lab was opened in a newer version in another tab — reload this page to go on with it';

/** Told once when another tab opens the database at a newer version and this connection steps aside. */
export function whenClosed(listener: (message: string) => void): void {
  onClosed = listener;
}

/** Why storage is closed to this context (null while it is open): storage errors carry it. */
export function storageClosedReason(): string | null {
  return closedReason;
}

export function openLabDb(name = DB_NAME): Promise<LabDb> {
  if (name === DB_NAME && closedReason)
    return Promise.reject(new Error(`The lab’s storage is closed: ${closedReason}.`));
  if (name === DB_NAME && shared) return shared;
  const p = openDB<LabSchema>(name, DB_VERSION, {
    upgrade(db) {
      if (!db.objectStoreNames.contains('datasets')) db.createObjectStore('datasets', { keyPath: 'key' });
      // v2: dataset descriptions apart from their pixels, so listing never loads images.
      if (!db.objectStoreNames.contains('datasetInfo')) db.createObjectStore('datasetInfo', { keyPath: 'key' });
      if (!db.objectStoreNames.contains('sweeps')) db.createObjectStore('sweeps', { keyPath: 'id' });
      if (!db.objectStoreNames.contains('datasetChunks'))
        db.createObjectStore('datasetChunks', { keyPath: ['key', 'index'] });
      if (!db.objectStoreNames.contains('runs'))
        db.createObjectStore('runs', { keyPath: 'id' }).createIndex('createdAt', 'createdAt');
      // v3: epoch checkpoints, apart from the sweep records so listing sweeps never reads weights.
      if (!db.objectStoreNames.contains('runSnapshots')) db.createObjectStore('runSnapshots', { keyPath: 'id' });
    },
    // Another tab holds an older version open. Tabs of this version step aside (below); an older build
    // may not, so the page says what to do instead of waiting silently.
    blocked() {
      onBlocked?.(
        'Another tab of FairDistill Lab (an older version) keeps the lab’s storage open. Close or reload that tab; this page continues as soon as it does.',
      );
    },
    // A newer version of the lab opened in another tab: step aside so it can upgrade, and say so —
    // this build cannot read what the newer one writes, so it does not reopen.
    blocking() {
      void p.then((db) => db.close());
      if (name === DB_NAME) {
        shared = null;
        closedReason = NEWER_VERSION_MESSAGE;
        onClosed?.(NEWER_VERSION_MESSAGE);
      }
    },
  });
  if (name === DB_NAME) {
    shared = p;
    p.catch(() => {
      shared = null;
    });
  }
  return p;
}
