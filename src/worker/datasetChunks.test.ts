import 'fake-indexeddb/auto';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { BatchReader } from '../engine/data/batches';
import { finishFolder, folderDataset } from '../engine/data/folderDataset';
import { planFolder, type FolderFiles } from '../engine/data/folderPlan';
import { prepareChunks } from '../engine/data/folderPrepare';
import { CancelledError } from '../engine/run/errors';
import { openLabDb } from '../storage/db';
import { deleteChunks, deleteDataset, finishChunkedDataset, listDatasets } from '../storage/datasets';
import { idbSink } from './datasetChunks';
import { toStored } from './storedRecord';
import { loadDataset } from './datasetLoader';

/**
 * The page's imported data in IndexedDB, a chunk of whole images a record: stored as prepared, found again
 * by an import that was cut short, read back a few chunks at a time into the same dataset a preparation in
 * memory makes, and deleted with every chunk.
 */

const SIZE = 4;
const PX = SIZE * SIZE * 3;

/** A labels-CSV folder of 40 images (two classes, two groups, one unreadable) and a decoder that paints each by its name. */
function folder(): { files: FolderFiles; decode: (p: string) => Promise<Uint8Array>; decoded: string[] } {
  const rows = Array.from({ length: 40 }, (_, i) => `img/${i}.png,${i % 2 ? 'cat' : 'dog'},${i % 4 < 2 ? 'm' : 'f'}`);
  const csv = ['file,class,group', ...rows].join('\n');
  const decoded: string[] = [];
  return {
    decoded,
    files: {
      folder: 'pets',
      paths: ['labels.csv', ...rows.map((r) => r.split(',')[0])],
      bytes: (p) => p.length * 10,
      text: () => Promise.resolve(csv),
    },
    decode: (p) => {
      decoded.push(p);
      const n = Number(/(\d+)/.exec(p)![1]);
      if (n === 13) return Promise.reject(new Error('broken file'));
      return Promise.resolve(Uint8Array.from({ length: PX }, (_, b) => (n * 5 + b) % 256));
    },
  };
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('an imported folder in IndexedDB chunks', () => {
  it('is read back, a few chunks at a time, as the dataset a preparation in memory makes; deleted whole', async () => {
    const db = await openLabDb('idb-chunks');
    const f = folder();
    const memory = await folderDataset({ size: SIZE, source: 'csv', seed: 1 }, f.files, f.decode, () => {});
    const plan = await planFolder({ source: 'csv' }, f.files);
    const records = await prepareChunks(
      plan,
      SIZE,
      f.decode,
      idbSink(db, 'prep:a', PX),
      f.files.bytes,
      () => {},
      undefined,
      6,
    );
    expect(await db.count('datasetChunks')).toBe(7); // 40 images in chunks of 6
    const { dataset } = finishFolder(plan, SIZE, 1, records, new Uint8Array(0), f.files.bytes);
    await finishChunkedDataset(
      db,
      toStored(dataset, { chunkKey: 'prep:a', chunkImages: records.map((r) => r.items.length) }),
    );
    const loaded = (await loadDataset(dataset.config, db)).dataset;
    expect(loaded.images).toMatchObject({ kind: 'chunks', count: 39 });
    expect([loaded.key, [...loaded.labels], [...loaded.split]]).toEqual([
      memory.dataset.key,
      [...memory.dataset.labels],
      [...memory.dataset.split],
    ]);
    const all = Int32Array.from({ length: 39 }, (_, i) => (i * 17) % 39);
    expect(await new BatchReader(loaded).pixels(all)).toEqual(await new BatchReader(memory.dataset).pixels(all));
    expect((await listDatasets(db)).map((d) => [d.count, d.chunkImages?.length])).toEqual([[39, 7]]);
    // A chunk lost behind the lab's back is named when read, not trained as zeros.
    await db.delete('datasetChunks', ['prep:a', 3]);
    await expect(new BatchReader(loaded).pixels(all)).rejects.toThrow(
      'is incomplete (part 4 of 7 is missing or damaged)',
    );
    await deleteDataset(db, dataset.key);
    expect([await db.count('datasets'), await db.count('datasetInfo'), await db.count('datasetChunks')]).toEqual([
      0, 0, 0,
    ]);
    db.close();
  });

  it('an import cut short leaves whole chunks that the next one goes on from, to the same bytes; a cancel removes them', async () => {
    const db = await openLabDb('idb-resume');
    const f = folder();
    const plan = await planFolder({ source: 'csv' }, f.files);
    const go = (key: string, stopAfter = Infinity) => {
      let n = 0;
      return prepareChunks(
        plan,
        SIZE,
        f.decode,
        idbSink(db, key, PX),
        f.files.bytes,
        () => {},
        () => ++n > stopAfter,
        6,
      );
    };
    const whole = await go('prep:whole');
    await expect(go('prep:cut', 20)).rejects.toBeInstanceOf(CancelledError); // a closed tab stops it the same way
    expect(await db.count('datasetChunks')).toBe(7 + 3);
    f.decoded.length = 0;
    let resumed = 0;
    const again = await prepareChunks(
      plan,
      SIZE,
      f.decode,
      idbSink(db, 'prep:cut', PX),
      f.files.bytes,
      (p) => (resumed = p.resumedChunks),
      undefined,
      6,
    );
    expect(resumed).toBe(3);
    expect(f.decoded).toHaveLength(40 - 18); // only the images of the chunks not stored before
    expect(again).toEqual(whole);
    for (let k = 0; k < 7; k++)
      expect(new Uint8Array((await db.get('datasetChunks', ['prep:cut', k]))!.bytes)).toEqual(
        new Uint8Array((await db.get('datasetChunks', ['prep:whole', k]))!.bytes),
      );
    await deleteChunks(db, 'prep:cut');
    expect(await db.count('datasetChunks')).toBe(7);
    db.close();
  });
});
