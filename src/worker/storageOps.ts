import * as tf from '@tensorflow/tfjs';
import { MODEL_ROOT, ownedModelKeys, ownerIdOf, TEACHER_ROOT } from '../engine/models/keys';
import type { StoredRun } from '../engine/types';
import { openLabDb } from '../storage/db';
import { deleteDataset } from '../storage/datasets';
import { deleteRun, getRun, listRuns, putRun, putRuns } from '../storage/runs';
import { deleteSweep, listSweeps } from '../storage/sweeps';
import { announce, liveSweepIds, lockName, whileFree } from '../storage/crossTab';
import { deleteModels } from './modelStore';
import type { StorageOp, SweepUsing } from './protocol';
import type { StoredSweep } from '../storage/db';
import { datasetKeyOf } from './datasetLoader';
import { methodInfo } from '../engine/distill/catalog';
import { MAX_NOTES, MAX_TAG, MAX_TAGS, parseRunsExport } from './runSchema';

/** Every saved model of the lab (tf.io's IndexedDB), with its size and when it was saved. */
async function savedModels(): Promise<Map<string, { bytes: number; savedAt: string | null }>> {
  const all = await tf.io.listModels();
  return new Map(
    Object.entries(all)
      .filter(([k]) => k.startsWith(MODEL_ROOT))
      .map(([k, info]) => [
        k,
        {
          bytes: (info.modelTopologyBytes ?? 0) + (info.weightSpecsBytes ?? 0) + (info.weightDataBytes ?? 0),
          savedAt: info.dateSaved ? new Date(info.dateSaved).toISOString() : null,
        },
      ]),
  );
}

/**
 * Deletes the models a record lists and every other model saved under its id: a crash between a
 * save and its record leaves one unlisted.
 */
async function deleteModelsOf(id: string, listed: string[]): Promise<number> {
  const under = [...(await savedModels()).keys()].filter((k) => ownerIdOf(k) === id);
  return deleteModels([...new Set([...listed, ...under])]);
}

const inUse = (what: string) =>
  new Error(`${what} is in use by a sweep running in this or another tab; it can be deleted when that sweep ends.`);

/** Discards a sweep: its record, checkpoint and every model saved under its id. The caller holds its lock. */
export async function discardSweepRecords(id: string): Promise<number> {
  const db = await openLabDb();
  const sweep = (await listSweeps(db)).find((s) => s.id === id);
  await deleteSweep(db, id);
  const listed = sweep ? ownedModelKeys(sweep.id, [...(sweep.teacher ? [sweep.teacher] : []), ...sweep.students]) : [];
  const removed = await deleteModelsOf(id, listed);
  announce({ kind: 'sweepEnded', id });
  return removed;
}

/**
 * Saved models that nothing owns: not a stored run's, not under an interrupted sweep's id (resume or
 * discard decides), not under a sweep some tab is running (it may not have recorded them yet).
 * Imported teachers belong to the user's list. Read in this order so that a sweep finishing meanwhile
 * is seen as a run: models first, then live sweeps, then records.
 */
export async function orphanedModels(): Promise<string[]> {
  const models = [...(await savedModels()).keys()];
  const live = await liveSweepIds();
  const db = await openLabDb();
  const runs = await listRuns(db);
  const owned = new Set(runs.flatMap((r) => r.ownedModels ?? legacyOwnedKeys(r)));
  const sweeps = new Set((await listSweeps(db)).map((s) => s.id));
  return models.filter((k) => {
    const id = ownerIdOf(k);
    return id !== null && !owned.has(k) && !sweeps.has(id) && !live.has(id);
  });
}

/**
 * The page's changes to stored records, carried out here: the worker is the one writer of the lab's
 * database, so a run that finishes while the page renames or deletes another never races it. Every
 * change is announced to the other tabs.
 */
export async function runStorageOp(op: StorageOp): Promise<unknown> {
  const db = await openLabDb();
  switch (op.kind) {
    case 'renameRun': {
      const run = (await listRuns(db)).find((r) => r.id === op.id);
      if (!run) throw new Error('That run is no longer stored.');
      await putRun(db, { ...run, name: op.name });
      announce({ kind: 'runs' });
      return true;
    }
    case 'annotateRun': {
      const run = (await listRuns(db)).find((r) => r.id === op.id);
      if (!run) throw new Error('That run is no longer stored.');
      const { notes, tags } = cleanAnnotation(op.notes, op.tags);
      await putRun(db, { ...run, notes, tags });
      announce({ kind: 'runs' });
      return true;
    }
    case 'importRuns': {
      // A run already stored here (the same run exported and imported back) is not added twice.
      const stored = new Set((await listRuns(db)).map(runSignature));
      const incoming = parseRunsExport(await op.file.text());
      const runs = importedRuns(incoming.filter((r) => !stored.has(runSignature(r))));
      await putRuns(db, runs);
      announce({ kind: 'runs' });
      return { added: runs.length, alreadyStored: incoming.length - runs.length };
    }
    case 'deleteRun': {
      const held = await whileFree(lockName.sweep(op.id), async () => {
        const run = await getRun(db, op.id);
        await deleteRun(db, op.id);
        announce({ kind: 'runs' });
        if (!run) return 0;
        // The run's own models go with it; a failure here leaves orphaned weights (cleaned up at the
        // next start), not a broken run list.
        return deleteModelsOf(op.id, run.ownedModels ?? legacyOwnedKeys(run)).catch(() => 0);
      });
      if ('busy' in held) throw inUse('That run');
      return held.value;
    }
    case 'discardSweep': {
      // Only a sweep whose lock is free is interrupted: a live one (another tab runs it) is never discarded.
      const held = await whileFree(lockName.sweep(op.id), () => discardSweepRecords(op.id));
      if ('busy' in held)
        throw new Error('That sweep is running in another tab; it can only be discarded once it stops there.');
      return held.value;
    }
    case 'sweepsUsing':
      return interruptedSweepsUsing(op.key);
    case 'deleteDataset': {
      const held = await whileFree(lockName.dataset(op.key), async () => {
        await discardUsers('That dataset', op.key, op.discardSweeps);
        await deleteDataset(db, op.key);
      });
      if ('busy' in held) throw inUse('That dataset');
      announce({ kind: 'datasets' });
      return true;
    }
    case 'listTeachers': {
      const runs = await listRuns(db);
      return [...(await savedModels()).entries()]
        .filter(([k]) => k.startsWith(TEACHER_ROOT))
        .map(([key, info]) => ({
          key,
          name: teacherName(key),
          ...info,
          usedBy: runs.filter((r) => r.result?.teacher?.modelKey === key).map((r) => r.name),
        }))
        .sort((a, b) => (b.savedAt ?? '').localeCompare(a.savedAt ?? ''));
    }
    case 'deleteTeacher': {
      if (!op.key.startsWith(TEACHER_ROOT)) throw new Error('That is not an imported teacher.');
      const held = await whileFree(lockName.model(op.key), async () => {
        await discardUsers('That teacher', op.key, op.discardSweeps);
        return deleteModels([op.key]);
      });
      if ('busy' in held) throw inUse('That teacher');
      announce({ kind: 'teachers' });
      return held.value;
    }
    case 'cleanOrphans': {
      const orphans = await orphanedModels();
      const removed = await deleteModels(orphans);
      if (removed) announce({ kind: 'models' });
      return { removed: orphans.slice(0, removed) };
    }
  }
}

/**
 * The interrupted sweeps (stored, no tab running them) that read a dataset or an imported teacher: a
 * Resume needs it, so deleting it would strand the sweep. A running sweep holds its shared locks instead.
 */
export async function interruptedSweepsUsing(key: string): Promise<SweepUsing[]> {
  const live = await liveSweepIds();
  const sweeps = await listSweeps(await openLabDb());
  return sweeps
    .filter((s) => !live.has(s.id))
    .filter((s) => datasetKeyOf(s.config.dataset) === key || s.config.teacherImport?.key === key)
    .map((s) => ({
      id: s.id,
      name: sweepName(s.config),
      finished: s.students.length + s.failures.length,
      total: s.total,
      updatedAt: s.updatedAt,
    }));
}

/** A stored sweep's name for messages: its methods and λ values. */
export function sweepName(config: StoredSweep['config']): string {
  const methods = config.methods.map((m) => methodInfo(m.id).short).join(', ') || 'Labels only';
  return `${methods} · λ ${config.lambdas.join(', ')} · seed ${config.seed}`;
}

/**
 * Called under the exclusive lock of what is being deleted: refuses while an interrupted sweep reads it,
 * unless the user confirmed discarding exactly those sweeps; then discards each whole (under its own lock).
 */
async function discardUsers(what: string, key: string, confirmed: string[] = []): Promise<void> {
  const users = await interruptedSweepsUsing(key);
  const unconfirmed = users.filter((u) => !confirmed.includes(u.id));
  if (unconfirmed.length)
    throw new Error(
      `${what} is read by the interrupted sweep${unconfirmed.length > 1 ? 's' : ''} ${unconfirmed.map((u) => `“${u.name}” (${u.finished} of ${u.total} models finished)`).join(', ')}: resume ${unconfirmed.length > 1 ? 'them' : 'it'} first, or delete again and confirm discarding ${unconfirmed.length > 1 ? 'them' : 'it'}. Nothing was deleted.`,
    );
  for (const u of users) {
    const held = await whileFree(lockName.sweep(u.id), () => discardSweepRecords(u.id));
    if ('busy' in held)
      throw new Error(`The sweep “${u.name}” was resumed in another tab meanwhile; nothing was deleted.`);
  }
}

/** An imported teacher's name: its key without the folder and the unique suffix the import added. */
export function teacherName(key: string): string {
  return key
    .slice(TEACHER_ROOT.length)
    .replace(/-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$|-[0-9a-z]{6,9}$/, '');
}

/**
 * Imported runs get fresh ids, so they can never collide with or match a stored run's, and own no
 * saved model: their model keys name the exporting browser's storage, not anything of this one.
 */
/**
 * Notes and tags as stored: the notes trimmed and cut to MAX_NOTES characters; tags trimmed, without
 * empties or repeats (case-insensitive), each cut to MAX_TAG, at most MAX_TAGS — what the import schema accepts.
 */
export function cleanAnnotation(notes: string, tags: string[]): { notes: string; tags: string[] } {
  const seen = new Set<string>();
  const kept: string[] = [];
  for (const t of tags.map((x) => x.trim().slice(0, MAX_TAG)).filter(Boolean))
    if (!seen.has(t.toLowerCase()) && kept.length < MAX_TAGS) {
      seen.add(t.toLowerCase());
      kept.push(t);
    }
  return { notes: notes.trim().slice(0, MAX_NOTES), tags: kept };
}

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
