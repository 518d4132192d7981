import 'fake-indexeddb/auto';
import { openDB } from 'idb';
import { describe, expect, it } from 'vitest';
import { DB_NAME, openLabDb, whenBlocked } from './db';

describe('lab database', () => {
  it('an older version held open elsewhere is reported, and the open goes on once it closes', async () => {
    // A tab of an earlier build: version 1, and no handler that steps aside.
    const old = await openDB(DB_NAME, 1, { upgrade(db) { db.createObjectStore('datasets', { keyPath: 'key' }); } });
    const messages: string[] = [];
    whenBlocked((m) => messages.push(m));
    const opening = openLabDb();
    await new Promise((r) => setTimeout(r, 50));
    expect(messages).toEqual(['Another tab of FairDistill Lab (an older version) keeps the lab’s storage open. Close or reload that tab; this page continues as soon as it does.']);
    old.close();
    const db = await opening;
    expect([...db.objectStoreNames].sort()).toEqual(['datasetChunks', 'datasetInfo', 'datasets', 'runs', 'sweeps']);
  });
});
