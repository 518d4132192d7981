import { ownedModelKeys } from '../engine/models/keys';
import type { StoredRun } from '../engine/types';
import { openLabDb } from '../storage/db';
import { deleteDataset } from '../storage/datasets';
import { deleteRun, getRun, listRuns, putRun, putRuns } from '../storage/runs';
import { deleteSweep, listSweeps } from '../storage/sweeps';
import { deleteModels } from './modelStore';
import type { StorageOp } from './protocol';
import { parseRunsExport } from './runSchema';

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
    case 'importRuns': {
      // A run already stored here (the same run exported and imported back) is not added twice.
      const stored = new Set((await listRuns(db)).map(runSignature));
      const incoming = parseRunsExport(await op.file.text());
      const runs = importedRuns(incoming.filter((r) => !stored.has(runSignature(r))));
      await putRuns(db, runs);
      return { added: runs.length, alreadyStored: incoming.length - runs.length };
    }
    case 'deleteRun': {
      const run = await getRun(db, op.id);
      await deleteRun(db, op.id);
      if (!run) return 0;
      // The run's own models go with it; a failure here leaves orphaned weights, not a broken run list.
      return deleteModels(run.ownedModels ?? legacyOwnedKeys(run)).catch(() => 0);
    }
    case 'discardSweep': {
      const sweep = (await listSweeps(db)).find((s) => s.id === op.id);
      await deleteSweep(db, op.id);
      if (!sweep) return 0;
      return deleteModels(ownedModelKeys(sweep.id, [...(sweep.teacher ? [sweep.teacher] : []), ...sweep.students]));
    }
    case 'deleteDataset':
      await deleteDataset(db, op.key);
      return true;
  }
}

/**
 * Imported runs get fresh ids, so they can never collide with or match a stored run's, and own no
 * saved model: their model keys name the exporting browser's storage, not anything of this one.
 */
export function importedRuns(runs: StoredRun[]): StoredRun[] {
  return runs.map((r) => ({
    ...r,
    id: `imported-${crypto.randomUUID()}`,
    ownedModels: [],
    bytes: JSON.stringify(r.result).length,
  }));
}

/** A run stored before runs listed their models: the keys its own id and labels give (a damaged record: none). */
function legacyOwnedKeys(run: StoredRun): string[] {
  try {
    return ownedModelKeys(run.id, [run.result.teacher, ...run.result.students]);
  } catch {
    return [];
  }
}

/** What makes two stored runs the same run: when it started, its name and its figures' source. */
function runSignature(r: StoredRun): string {
  return `${r.result?.startedAt}|${r.createdAt}|${r.name}|${r.result?.teacher?.test?.accuracy}`;
}
