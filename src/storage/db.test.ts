import 'fake-indexeddb/auto';
import { openDB } from 'idb';
import { describe, expect, it } from 'vitest';
import { DB_NAME, openLabDb, whenBlocked, type StoredSweep } from './db';
import { deleteSweep, getRunSnapshot, listSweeps, putRunSnapshot, putSweep } from './sweeps';
import type { ModelResult, RunSnapshot } from '../engine/types';

describe('lab database', () => {
  it('an older version held open elsewhere is reported, and the open goes on once it closes', async () => {
    // A tab of an earlier build: version 1, and no handler that steps aside.
    const old = await openDB(DB_NAME, 1, {
      upgrade(db) {
        db.createObjectStore('datasets', { keyPath: 'key' });
      },
    });
    const messages: string[] = [];
    whenBlocked((m) => messages.push(m));
    const opening = openLabDb();
    await new Promise((r) => setTimeout(r, 50));
    expect(messages).toEqual([
      'Another tab of FairDistill Lab (an older version) keeps the lab’s storage open. Close or reload that tab; this page continues as soon as it does.',
    ]);
    old.close();
    const db = await opening;
    expect([...db.objectStoreNames].sort()).toEqual([
      'datasetChunks',
      'datasetInfo',
      'datasets',
      'runSnapshots',
      'runs',
      'sweeps',
    ]);
  });

  it('an epoch checkpoint stays until its model is among the finished ones, then goes in the same write', async () => {
    const db = await openLabDb('fairdistill-snapshots-test');
    const model = (label: string) => ({ label }) as ModelResult;
    const snap = (label: string, epoch: number): RunSnapshot => ({
      label,
      epoch,
      epochs: 4,
      model: [{ name: 'w', shape: [2], dtype: 'float32', data: new Float32Array([epoch, -epoch]) }],
      optimizer: { kind: 'sgd', iterations: epoch * 3, slots: [] },
      method: [],
      best: null,
      curve: [],
      valAccuracy: [],
      trainSeconds: 1,
    });
    const sweep: StoredSweep = {
      id: 's1',
      config: {} as StoredSweep['config'],
      teacher: null,
      students: [],
      failures: [],
      startedAt: 'x',
      updatedAt: 'x',
      total: 2,
    };
    await expect(putRunSnapshot(db, 'nope', snap('Teacher', 1), 8)).rejects.toThrow('no record');
    await putSweep(db, sweep);
    await putRunSnapshot(db, 's1', snap('Teacher', 2), 8);
    expect((await listSweeps(db))[0].current).toEqual({ label: 'Teacher', epoch: 2, epochs: 4, bytes: 8 });
    expect(Array.from((await getRunSnapshot(db, 's1'))!.model[0].data)).toEqual([2, -2]);
    // A checkpoint of the sweep that does not finish the teacher keeps the teacher's snapshot.
    await putSweep(db, { ...sweep, updatedAt: 'y' });
    expect((await getRunSnapshot(db, 's1'))?.epoch).toBe(2);
    // The teacher finished: its snapshot goes.
    await putSweep(db, { ...sweep, teacher: model('Teacher') });
    expect(await getRunSnapshot(db, 's1')).toBeUndefined();
    expect((await listSweeps(db))[0].current).toBeUndefined();
    await putRunSnapshot(db, 's1', snap('CKD λ=0', 1), 8);
    await putSweep(db, {
      ...sweep,
      teacher: model('Teacher'),
      students: [],
      failures: [{ label: 'CKD λ=0', message: 'NaN' }],
    });
    expect(await getRunSnapshot(db, 's1')).toBeUndefined();
    await putRunSnapshot(db, 's1', snap('CKD λ=1', 3), 8);
    await deleteSweep(db, 's1');
    expect(await listSweeps(db)).toEqual([]);
    expect(await getRunSnapshot(db, 's1')).toBeUndefined();
  });
});
