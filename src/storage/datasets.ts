import type { DatasetChunk, DatasetInfo, LabDb, StoredDataset } from './db';
import { CHUNK_BYTES } from './db';

/** Cached datasets: the pixels in chunks, the record, and a description the list reads without images. Written by the worker. */

const chunkRange = (key: string) => IDBKeyRange.bound([key, 0], [key, Number.MAX_SAFE_INTEGER]);

/**
 * The dataset with its pixels reassembled from their chunks — except a dataset in chunks of whole images,
 * which comes without pixels (`chunkImages` says how to read them: getDatasetChunk).
 */
export async function getDataset(db: LabDb, key: string): Promise<StoredDataset | undefined> {
  const tx = db.transaction(['datasets', 'datasetChunks']);
  const record = await tx.objectStore('datasets').get(key);
  if (!record?.chunks || record.chunkImages) return record;
  const chunks = await tx.objectStore('datasetChunks').getAll(chunkRange(key));
  if (chunks.length !== record.chunks)
    throw new Error(
      `The cached dataset “${record.name}” is incomplete (${chunks.length} of ${record.chunks} parts); delete it and load it again.`,
    );
  const images = new Uint8Array(chunks.reduce((n, c) => n + c.bytes.byteLength, 0));
  let at = 0;
  for (const c of chunks.sort((a, b) => a.index - b.index)) {
    images.set(new Uint8Array(c.bytes), at);
    at += c.bytes.byteLength;
  }
  return { ...record, images: images.buffer };
}

/**
 * Stores a dataset — pixels in chunks of `chunkBytes`, the record and its description — in one
 * transaction: a failure (quota, closed tab) leaves nothing, never a part that looks complete.
 */
export async function putDataset(db: LabDb, d: StoredDataset, chunkBytes = CHUNK_BYTES): Promise<void> {
  const tx = db.transaction(['datasets', 'datasetInfo', 'datasetChunks'], 'readwrite');
  const { images, labels: _l, groups: _g, split: _s, ...info } = d;
  const chunks = Math.ceil(images.byteLength / chunkBytes);
  const writes: Promise<unknown>[] = [tx.objectStore('datasetChunks').delete(chunkRange(d.key))];
  for (let i = 0; i < chunks; i++)
    writes.push(
      tx
        .objectStore('datasetChunks')
        .put({ key: d.key, index: i, bytes: images.slice(i * chunkBytes, (i + 1) * chunkBytes) }),
    );
  writes.push(
    tx.objectStore('datasets').put({ ...d, images: new ArrayBuffer(0), chunks }),
    tx.objectStore('datasetInfo').put({ ...info, chunks }),
  );
  await Promise.all([...writes, tx.done]);
}

export async function listDatasets(db: LabDb): Promise<DatasetInfo[]> {
  return db.getAll('datasetInfo');
}

export async function deleteDataset(db: LabDb, key: string): Promise<void> {
  const tx = db.transaction(['datasets', 'datasetInfo', 'datasetChunks'], 'readwrite');
  const info = await tx.objectStore('datasetInfo').get(key);
  await Promise.all([
    tx.objectStore('datasets').delete(key),
    tx.objectStore('datasetInfo').delete(key),
    tx.objectStore('datasetChunks').delete(chunkRange(key)),
    ...(info?.chunkKey ? [tx.objectStore('datasetChunks').delete(chunkRange(info.chunkKey))] : []),
    tx.done,
  ]);
}

/** One chunk of whole images, written in its own transaction as an import prepares it. */
export async function putDatasetChunk(db: LabDb, chunk: DatasetChunk): Promise<void> {
  await db.put('datasetChunks', chunk);
}

export async function getDatasetChunk(db: LabDb, key: string, index: number): Promise<DatasetChunk | undefined> {
  return db.get('datasetChunks', [key, index]);
}

/** The chunks an import wrote under its preparation key (a cancelled or failed import's are removed). */
export async function deleteChunks(db: LabDb, key: string): Promise<void> {
  await db.delete('datasetChunks', chunkRange(key));
}

/**
 * The record of a dataset whose chunks are all written: written last, in one transaction with its
 * description, so the dataset appears in the list only when every chunk is there.
 */
export async function finishChunkedDataset(db: LabDb, d: StoredDataset): Promise<void> {
  const tx = db.transaction(['datasets', 'datasetInfo'], 'readwrite');
  const { images: _i, labels: _l, groups: _g, split: _s, ...info } = d;
  await Promise.all([tx.objectStore('datasets').put(d), tx.objectStore('datasetInfo').put(info), tx.done]);
}
