import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { SYNTHETIC_PRESETS } from '../engine/data/synthetic';
import { openLabDb } from '../storage/db';
import { loadDataset } from './datasetLoader';

describe('dataset cache in IndexedDB', () => {
  it('the first load generates and stores; the second comes from IndexedDB, byte for byte', async () => {
    const db = await openLabDb('cache-test');
    const first = await loadDataset(SYNTHETIC_PRESETS.tiny, db);
    expect(first.fromCache).toBe(false);
    expect(await db.count('datasets')).toBe(1);
    const second = await loadDataset({ ...SYNTHETIC_PRESETS.tiny }, db);
    expect(second.fromCache).toBe(true);
    expect(second.dataset.images).toEqual(first.dataset.images);
    expect(second.dataset.groups).toEqual(first.dataset.groups);
    expect(second.dataset.split).toEqual(first.dataset.split);
    expect(second.dataset.classNames).toEqual(first.dataset.classNames);
    // Another config is another entry, not a stale hit.
    const other = await loadDataset({ ...SYNTHETIC_PRESETS.tiny, biasStrength: 0.3 }, db);
    expect(other.fromCache).toBe(false);
    expect(await db.count('datasets')).toBe(2);
    db.close();
  });

  it('without a database the dataset is still generated', async () => {
    const r = await loadDataset(SYNTHETIC_PRESETS.tiny, null);
    expect(r.fromCache).toBe(false);
    expect(r.dataset.count).toBe(SYNTHETIC_PRESETS.tiny.examples);
  });
});
