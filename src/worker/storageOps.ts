import { openLabDb, type StoredRun } from '../storage/db';
import { deleteDataset } from '../storage/datasets';
import { deleteRun, listRuns, putRun, putRuns } from '../storage/runs';
import { deleteSweep } from '../storage/sweeps';
import { deleteModels } from './modelStore';
import type { StorageOp } from './protocol';

/**
 * The page's changes to stored records, carried out here: the worker is the one writer of the lab's
 * database, so a run that finishes while the page renames or deletes another never races it.
 */
export async function runStorageOp(op: StorageOp): Promise<unknown> {
  const db = await openLabDb();
  switch (op.kind) {
    case 'renameRun': {
      const run = (await listRuns(db)).find((r) => r.id === op.id);
      if (!run) throw new Error('That run is no longer stored.');
      await putRun(db, { ...run, name: op.name });
      return true;
    }
    case 'importRuns':
      await putRuns(db, op.runs as StoredRun[]);
      return op.runs.length;
    case 'deleteRun':
      await deleteRun(db, op.id);
      // The run's models go with it; a failure here leaves orphaned weights, not a broken run list.
      return deleteModels(op.modelKeys).catch(() => 0);
    case 'discardSweep':
      await deleteSweep(db, op.id);
      return deleteModels(op.modelKeys);
    case 'deleteDataset':
      await deleteDataset(db, op.key);
      return true;
  }
}
