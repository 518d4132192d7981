import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { finishedLabels } from '../engine/plan';
import type { DatasetConfig, ExperimentConfig, ExperimentResult, RunSnapshot, SweepProgress } from '../engine/types';

/**
 * The app's own IndexedDB database (tf.io keeps its models in a separate one, `tensorflowjs`).
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
  labels: ArrayBuffer;
  groups: ArrayBuffer;
  split: ArrayBuffer;
  bytes: number;
  createdAt: string;
}

export interface StoredRun {
  id: string;
  name: string;
  createdAt: string;
  result: ExperimentResult;
}

/** What the dataset list shows, without reading any image: written with the dataset, in one transaction. */
export type DatasetInfo = Omit<StoredDataset, 'images' | 'labels' | 'groups' | 'split'>;

/** One slice of a dataset's pixels: large datasets never sit in a single IndexedDB value. */
export interface DatasetChunk {
  key: string;
  index: number;
  bytes: ArrayBuffer;
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

export function openLabDb(name = DB_NAME): Promise<LabDb> {
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
    // A newer version of the lab opened in another tab: step aside so it can upgrade.
    blocking() {
      void p.then((db) => db.close());
      if (name === DB_NAME) shared = null;
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

const chunkRange = (key: string) => IDBKeyRange.bound([key, 0], [key, Number.MAX_SAFE_INTEGER]);

/** The dataset with its pixels reassembled from their chunks. */
export async function getDataset(db: LabDb, key: string): Promise<StoredDataset | undefined> {
  const tx = db.transaction(['datasets', 'datasetChunks']);
  const record = await tx.objectStore('datasets').get(key);
  if (!record?.chunks) return record;
  const chunks = await tx.objectStore('datasetChunks').getAll(chunkRange(key));
  if (chunks.length !== record.chunks)
    throw new Error(
      `The cached dataset “${record.name}” is incomplete (${chunks.length} of ${record.chunks} parts); delete it and load it again.`,
    );
  const images = new Uint8Array(chunks.reduce((n, c) => n + c.bytes.byteLength, 0));
  let at = 0;
  for (const c of chunks.sort((a, b) => a.index - b.index)) {
    images.set(new Uint8Array(c.bytes), at);
    at += c.bytes.byteLength;
  }
  return { ...record, images: images.buffer };
}

/**
 * Stores a dataset — pixels in chunks of `chunkBytes`, the record and its description — in one
 * transaction: a failure (quota, closed tab) leaves nothing, never a part that looks complete.
 */
export async function putDataset(db: LabDb, d: StoredDataset, chunkBytes = CHUNK_BYTES): Promise<void> {
  const tx = db.transaction(['datasets', 'datasetInfo', 'datasetChunks'], 'readwrite');
  const { images, labels: _l, groups: _g, split: _s, ...info } = d;
  const chunks = Math.ceil(images.byteLength / chunkBytes);
  const writes: Promise<unknown>[] = [tx.objectStore('datasetChunks').delete(chunkRange(d.key))];
  for (let i = 0; i < chunks; i++)
    writes.push(
      tx
        .objectStore('datasetChunks')
        .put({ key: d.key, index: i, bytes: images.slice(i * chunkBytes, (i + 1) * chunkBytes) }),
    );
  writes.push(
    tx.objectStore('datasets').put({ ...d, images: new ArrayBuffer(0), chunks }),
    tx.objectStore('datasetInfo').put({ ...info, chunks }),
  );
  await Promise.all([...writes, tx.done]);
}

export async function listDatasets(db: LabDb): Promise<DatasetInfo[]> {
  return db.getAll('datasetInfo');
}

export async function deleteDataset(db: LabDb, key: string): Promise<void> {
  const tx = db.transaction(['datasets', 'datasetInfo', 'datasetChunks'], 'readwrite');
  await Promise.all([
    tx.objectStore('datasets').delete(key),
    tx.objectStore('datasetInfo').delete(key),
    tx.objectStore('datasetChunks').delete(chunkRange(key)),
    tx.done,
  ]);
}

export async function listRuns(db: LabDb): Promise<StoredRun[]> {
  return db.getAllFromIndex('runs', 'createdAt');
}

export async function putRun(db: LabDb, run: StoredRun): Promise<void> {
  await db.put('runs', run);
}

export async function deleteRun(db: LabDb, id: string): Promise<void> {
  await db.delete('runs', id);
}

/**
 * Records what a sweep has finished. The epoch snapshot goes in the same transaction once the model
 * it belongs to is among the finished ones: a finished model's checkpoint is never left behind, and
 * the model in training keeps its checkpoint until then.
 */
export async function putSweep(db: LabDb, sweep: StoredSweep): Promise<void> {
  const tx = db.transaction(['sweeps', 'runSnapshots'], 'readwrite');
  const sweeps = tx.objectStore('sweeps');
  const current = sweep.current ?? (await sweeps.get(sweep.id))?.current;
  const stale = current && finishedLabels(sweep).has(current.label);
  const { current: _c, ...rest } = sweep;
  await Promise.all([
    sweeps.put(current && !stale ? { ...rest, current } : rest),
    ...(stale ? [tx.objectStore('runSnapshots').delete(sweep.id)] : []),
    tx.done,
  ]);
}

/** Stores the epoch checkpoint and notes it on the sweep record, in one transaction. */
export async function putRunSnapshot(db: LabDb, id: string, snapshot: RunSnapshot, bytes: number): Promise<void> {
  const tx = db.transaction(['sweeps', 'runSnapshots'], 'readwrite');
  const sweep = await tx.objectStore('sweeps').get(id);
  if (!sweep) {
    tx.abort();
    await tx.done.catch(() => undefined);
    throw new Error('the sweep has no record to attach the checkpoint to');
  }
  const current = { label: snapshot.label, epoch: snapshot.epoch, epochs: snapshot.epochs, bytes };
  await Promise.all([
    tx.objectStore('runSnapshots').put({ id, snapshot }),
    tx.objectStore('sweeps').put({ ...sweep, current, updatedAt: new Date().toISOString() }),
    tx.done,
  ]);
}

export async function getRunSnapshot(db: LabDb, id: string): Promise<RunSnapshot | undefined> {
  return (await db.get('runSnapshots', id))?.snapshot;
}

export async function listSweeps(db: LabDb): Promise<StoredSweep[]> {
  return db.getAll('sweeps');
}

/** Drops a sweep's record and its epoch checkpoint together (finished and stored, or discarded). */
export async function deleteSweep(db: LabDb, id: string): Promise<void> {
  const tx = db.transaction(['sweeps', 'runSnapshots'], 'readwrite');
  await Promise.all([tx.objectStore('sweeps').delete(id), tx.objectStore('runSnapshots').delete(id), tx.done]);
}
