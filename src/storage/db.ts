import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { DatasetConfig, ExperimentConfig, ExperimentResult, ModelResult } from '../engine/types';

/**
 * The app's own IndexedDB database (tf.io keeps its models in a separate one, `tensorflowjs`).
 * Typed arrays are stored as ArrayBuffers: Blobs are unreliable in some browsers' IndexedDB.
 */

export const DB_NAME = 'fairdistill-lab';
export const DB_VERSION = 2;

export interface StoredDataset {
  key: string;
  name: string;
  config: DatasetConfig;
  size: number;
  count: number;
  classNames: string[];
  groupNames: [string, string];
  images: ArrayBuffer;
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

/** A sweep in progress, checkpointed after its teacher and after each student (run-level resume). */
export interface StoredSweep {
  id: string;
  config: ExperimentConfig;
  teacher: ModelResult;
  students: ModelResult[];
  failures: { label: string; message: string }[];
  startedAt: string;
  updatedAt: string;
  total: number;
}

interface LabSchema extends DBSchema {
  sweeps: { key: string; value: StoredSweep };
  datasets: { key: string; value: StoredDataset };
  datasetInfo: { key: string; value: DatasetInfo };
  runs: { key: string; value: StoredRun; indexes: { createdAt: string } };
}

export type LabDb = IDBPDatabase<LabSchema>;

let shared: Promise<LabDb> | null = null;

export function openLabDb(name = DB_NAME): Promise<LabDb> {
  if (name === DB_NAME && shared) return shared;
  const p = openDB<LabSchema>(name, DB_VERSION, {
    upgrade(db) {
      if (!db.objectStoreNames.contains('datasets')) db.createObjectStore('datasets', { keyPath: 'key' });
      // v2: dataset descriptions apart from their pixels, so listing never loads images.
      if (!db.objectStoreNames.contains('datasetInfo')) db.createObjectStore('datasetInfo', { keyPath: 'key' });
      if (!db.objectStoreNames.contains('sweeps')) db.createObjectStore('sweeps', { keyPath: 'id' });
      if (!db.objectStoreNames.contains('runs')) db.createObjectStore('runs', { keyPath: 'id' }).createIndex('createdAt', 'createdAt');
    },
    blocked() { /* another tab holds an older version open; it closes itself (below) and this open goes on */ },
    // A newer version of the lab opened in another tab: step aside so it can upgrade.
    blocking() {
      void p.then((db) => db.close());
      if (name === DB_NAME) shared = null;
    },
  });
  if (name === DB_NAME) {
    shared = p;
    p.catch(() => { shared = null; });
  }
  return p;
}

export async function getDataset(db: LabDb, key: string): Promise<StoredDataset | undefined> {
  return db.get('datasets', key);
}

export async function putDataset(db: LabDb, d: StoredDataset): Promise<void> {
  const tx = db.transaction(['datasets', 'datasetInfo'], 'readwrite');
  const { images: _i, labels: _l, groups: _g, split: _s, ...info } = d;
  await Promise.all([tx.objectStore('datasets').put(d), tx.objectStore('datasetInfo').put(info), tx.done]);
}

export async function listDatasets(db: LabDb): Promise<DatasetInfo[]> {
  return db.getAll('datasetInfo');
}

export async function deleteDataset(db: LabDb, key: string): Promise<void> {
  const tx = db.transaction(['datasets', 'datasetInfo'], 'readwrite');
  await Promise.all([tx.objectStore('datasets').delete(key), tx.objectStore('datasetInfo').delete(key), tx.done]);
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

export async function putSweep(db: LabDb, sweep: StoredSweep): Promise<void> {
  await db.put('sweeps', sweep);
}

export async function listSweeps(db: LabDb): Promise<StoredSweep[]> {
  return db.getAll('sweeps');
}

export async function deleteSweep(db: LabDb, id: string): Promise<void> {
  await db.delete('sweeps', id);
}
