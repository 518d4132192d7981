import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { DatasetConfig, ExperimentResult } from '../engine/types';

/**
 * The app's own IndexedDB database (tf.io keeps its models in a separate one, `tensorflowjs`).
 * Typed arrays are stored as ArrayBuffers: Blobs are unreliable in some browsers' IndexedDB.
 */

export const DB_NAME = 'fairdistill-lab';
export const DB_VERSION = 1;

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

interface LabSchema extends DBSchema {
  datasets: { key: string; value: StoredDataset };
  runs: { key: string; value: StoredRun; indexes: { createdAt: string } };
}

export type LabDb = IDBPDatabase<LabSchema>;

let shared: Promise<LabDb> | null = null;

export function openLabDb(name = DB_NAME): Promise<LabDb> {
  if (name === DB_NAME && shared) return shared;
  const p = openDB<LabSchema>(name, DB_VERSION, {
    upgrade(db) {
      if (!db.objectStoreNames.contains('datasets')) db.createObjectStore('datasets', { keyPath: 'key' });
      if (!db.objectStoreNames.contains('runs')) db.createObjectStore('runs', { keyPath: 'id' }).createIndex('createdAt', 'createdAt');
    },
    blocked() { /* another tab holds an older version open; the open waits */ },
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
  await db.put('datasets', d);
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
