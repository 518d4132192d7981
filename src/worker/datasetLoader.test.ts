import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { SYNTHETIC_PRESETS } from '../engine/data/synthetic';
import { openLabDb } from '../storage/db';
import { deleteDataset, getDataset, listDatasets, putDataset } from '../storage/datasets';
import { generateSynthetic } from '../engine/data/synthetic';
import { loadDataset } from './datasetLoader';
import { toStored } from './storedRecord';

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

  it('stores pixels in chunks, reassembles them byte for byte, refuses an incomplete set and deletes every part', async () => {
    const db = await openLabDb('chunk-test');
    const data = generateSynthetic(SYNTHETIC_PRESETS.tiny); // 480 × 16 × 16 × 3 = 368,640 bytes
    await putDataset(db, toStored(data), 100_000);
    expect(await db.count('datasetChunks')).toBe(4);
    expect((await db.get('datasets', data.key))!.images.byteLength).toBe(0);
    expect((await listDatasets(db)).map((d) => [d.key, d.chunks, d.count])).toEqual([[data.key, 4, 480]]);
    const back = await getDataset(db, data.key);
    expect(new Uint8Array(back!.images)).toEqual(data.images);
    // Storing again replaces the parts instead of adding to them.
    await putDataset(db, toStored(data), 200_000);
    expect(await db.count('datasetChunks')).toBe(2);
    await db.delete('datasetChunks', [data.key, 1]);
    await expect(getDataset(db, data.key)).rejects.toThrow('is incomplete (1 of 2 parts)');
    await deleteDataset(db, data.key);
    expect([await db.count('datasets'), await db.count('datasetInfo'), await db.count('datasetChunks')]).toEqual([
      0, 0, 0,
    ]);
    db.close();
  });

  it('without a database the dataset is still generated', async () => {
    const r = await loadDataset(SYNTHETIC_PRESETS.tiny, null);
    expect(r.fromCache).toBe(false);
    expect(r.dataset.count).toBe(SYNTHETIC_PRESETS.tiny.examples);
  });
});
