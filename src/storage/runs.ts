import type { LabDb, StoredRun } from './db';

/** Finished runs. Written by the worker only: when a sweep finishes, and on the page's requests (rename, import, delete). */

export async function getRun(db: LabDb, id: string): Promise<StoredRun | undefined> {
  return db.get('runs', id);
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
