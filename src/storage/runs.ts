import { withCurrentFieldNames } from '../engine/types';
import type { LabDb, StoredRun } from './db';

/** A stored run read back with today's field names (runs stored before a rename keep working). */
const current = (run: StoredRun | undefined) => (run ? { ...run, result: withCurrentFieldNames(run.result) } : run);

/** Finished runs. Written by the worker only: when a sweep finishes, and on the page's requests (rename, import, delete). */

export async function getRun(db: LabDb, id: string): Promise<StoredRun | undefined> {
  return current(await db.get('runs', id));
}

export async function listRuns(db: LabDb): Promise<StoredRun[]> {
  return (await db.getAllFromIndex('runs', 'createdAt')).map((r) => current(r)!);
}

export async function putRun(db: LabDb, run: StoredRun): Promise<void> {
  await db.put('runs', run);
}

export async function deleteRun(db: LabDb, id: string): Promise<void> {
  await db.delete('runs', id);
}

/** Adds several runs in one transaction: an import lands whole or not at all. */
export async function putRuns(db: LabDb, runs: StoredRun[]): Promise<void> {
  const tx = db.transaction('runs', 'readwrite');
  await Promise.all([...runs.map((r) => tx.store.put(r)), tx.done]);
}

/** Stores a finished run and drops its sweep record and epoch checkpoint, in one transaction. */
export async function finishRun(db: LabDb, run: StoredRun): Promise<void> {
  const tx = db.transaction(['runs', 'sweeps', 'runSnapshots'], 'readwrite');
  await Promise.all([
    tx.objectStore('runs').put(run),
    tx.objectStore('sweeps').delete(run.id),
    tx.objectStore('runSnapshots').delete(run.id),
    tx.done,
  ]);
}
