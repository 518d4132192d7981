import { finishedLabels, type RunSnapshot } from '../engine/types';
import type { LabDb, StoredSweep } from './db';

/** Sweeps in progress and their epoch checkpoints. Written by the worker only, as the sweep goes. */

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
