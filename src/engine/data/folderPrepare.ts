import { IMAGE_FILE, type FolderPlan } from './folderPlan';
import { imagesPerChunk } from './pixelChunks';
import { CancelledError } from '../run/errors';

/**
 * A folder's images decoded chunk by chunk: chunk k is the plan's items [k·P, (k+1)·P) (P images per
 * chunk at this size), less those that could not be read. Each finished chunk goes to a sink (memory,
 * the runner's disk cache, the page's IndexedDB) before the next is decoded, so preparation holds one
 * chunk of pixels, and a preparation stopped halfway goes on from the chunks its sink already holds.
 */

export type DecodeSquare = (path: string, size: number, bbox?: [number, number, number, number]) => Promise<Uint8Array>;

export interface ChunkRecord {
  /** The plan's items this chunk holds, in order: those of its range that could be read. */
  items: number[];
  skipped: { path: string; reason: string }[];
}

export interface ChunkSink {
  /** A chunk an earlier, interrupted preparation finished, or undefined. */
  finished(k: number): Promise<ChunkRecord | undefined>;
  put(k: number, pixels: Uint8Array, record: ChunkRecord): Promise<void>;
}

export interface PrepareProgress {
  done: number;
  total: number;
  bytes: number;
  etaSeconds: number | null;
  /** Chunks found finished by an earlier preparation. */
  resumedChunks: number;
}

export function chunkRanges(items: number, perChunk: number): [number, number][] {
  const out: [number, number][] = [];
  for (let a = 0; a < items; a += perChunk) out.push([a, Math.min(items, a + perChunk)]);
  return out;
}

export async function prepareChunks(
  plan: FolderPlan,
  size: number,
  decode: DecodeSquare,
  sink: ChunkSink,
  bytesOf: (path: string) => number,
  progress: (p: PrepareProgress) => void,
  shouldStop: () => boolean = () => false,
  perChunk = imagesPerChunk(size),
): Promise<ChunkRecord[]> {
  const t0 = performance.now();
  const px = size * size * 3;
  const ranges = chunkRanges(plan.items.length, perChunk);
  const records: ChunkRecord[] = [];
  let done = 0;
  let decoded = 0;
  let bytes = 0;
  let resumedChunks = 0;
  const report = () => {
    const elapsed = (performance.now() - t0) / 1000;
    progress({
      done,
      total: plan.items.length,
      bytes,
      resumedChunks,
      etaSeconds: decoded > 0 ? (elapsed / decoded) * (plan.items.length - done) : null,
    });
  };
  for (let k = 0; k < ranges.length; k++) {
    const [a, b] = ranges[k];
    const before = await sink.finished(k);
    if (before) {
      records.push(before);
      resumedChunks++;
      for (let i = a; i < b; i++) bytes += bytesOf(plan.items[i].path);
      done = b;
      report();
      continue;
    }
    const pixels = new Uint8Array((b - a) * px);
    const record: ChunkRecord = { items: [], skipped: [] };
    for (let i = a; i < b; i++) {
      if (shouldStop()) throw new CancelledError();
      const it = plan.items[i];
      try {
        if (!IMAGE_FILE.test(it.path))
          throw new Error(`a ${it.path.split('.').pop()!.toUpperCase()} file; the lab reads JPEG, PNG and WebP images`);
        pixels.set(await decode(it.path, size, it.bbox), record.items.length * px);
        record.items.push(i);
      } catch (e) {
        if (e instanceof CancelledError) throw e;
        record.skipped.push({ path: it.path, reason: `unreadable (${(e as Error).message})` });
      }
      bytes += bytesOf(it.path);
      done = i + 1;
      decoded++;
      if (decoded % 16 === 0) report();
    }
    await sink.put(k, pixels.subarray(0, record.items.length * px), record);
    records.push(record);
    report();
  }
  return records;
}

/** A sink that keeps the chunks in memory (the page's one-record store, tests). */
export function memorySink(): ChunkSink & { chunks: Uint8Array[] } {
  const chunks: Uint8Array[] = [];
  return {
    chunks,
    finished: () => Promise.resolve(undefined),
    put: (k, pixels) => {
      chunks[k] = pixels;
      return Promise.resolve();
    },
  };
}
