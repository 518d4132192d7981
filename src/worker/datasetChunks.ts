import type { ChunkSink } from '../engine/data/folderPrepare';
import type { PixelChunks } from '../engine/data/pixelChunks';
import type { LabDb, StoredDataset } from '../storage/db';
import { getDatasetChunk, putDatasetChunk } from '../storage/datasets';

/**
 * An imported folder's pixels in IndexedDB, a chunk of whole images per record: written by the import as
 * each chunk is prepared (one transaction a chunk, so memory holds one chunk), found again by an import
 * of the same folder that was interrupted (a closed tab, a crash), and read back a few chunks at a time
 * while a run trains.
 */

export function idbSink(db: LabDb, chunkKey: string, px: number): ChunkSink {
  return {
    finished: async (k) => {
      const c = await getDatasetChunk(db, chunkKey, k);
      // A chunk is finished when its record holds its items and exactly their pixels.
      if (!c?.items || c.bytes.byteLength !== c.items.length * px) return undefined;
      return { items: c.items, skipped: c.skipped ?? [] };
    },
    put: (k, pixels, record) =>
      putDatasetChunk(db, {
        key: chunkKey,
        index: k,
        bytes: pixels.slice().buffer,
        items: record.items,
        skipped: record.skipped,
      }),
  };
}

/** A stored dataset's chunks of whole images, read on demand. */
export function storedChunks(db: LabDb, s: StoredDataset): PixelChunks {
  const counts = s.chunkImages!;
  const starts = counts.map((_, k) => counts.slice(0, k).reduce((a, b) => a + b, 0));
  return {
    kind: 'chunks',
    starts,
    count: s.count,
    imageBytes: s.size * s.size * 3,
    read: async (k) => {
      const c = await getDatasetChunk(db, s.chunkKey!, k);
      if (!c || c.bytes.byteLength !== counts[k] * s.size * s.size * 3)
        throw new Error(
          `The cached dataset “${s.name}” is incomplete (part ${k + 1} of ${counts.length} is missing or damaged); delete it and load its folder again.`,
        );
      return new Uint8Array(c.bytes);
    },
  };
}
