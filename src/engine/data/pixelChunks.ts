/**
 * A dataset's pixels stored in chunks and read on demand, so that a dataset larger than memory (WIDER's
 * 13,789 photos at 224 px are 2.1 GB) trains with a few chunks resident: the runner reads them from its
 * on-disk cache, the page's worker from IndexedDB. Image i lives in the chunk k with starts[k] ≤ i <
 * starts[k + 1]; chunks may hold different counts (a chunk is a fixed range of the prepared list, less the
 * images that could not be read).
 */
export interface PixelChunks {
  readonly kind: 'chunks';
  /** First image of each chunk, ascending; starts[0] = 0. */
  readonly starts: readonly number[];
  /** Images in all. */
  readonly count: number;
  /** Bytes of one image (size × size × 3). */
  readonly imageBytes: number;
  /** Chunk k's pixels, (starts[k+1] − starts[k]) × imageBytes bytes. */
  read(k: number): Promise<Uint8Array>;
}

/** Chunks of a resident training window: see epochOrder. */
export const WINDOW_CHUNKS = 4;
/** What a reader keeps: two windows (a batch may straddle two) and the chunk it reads ahead. */
export const RESIDENT_CHUNKS = 2 * WINDOW_CHUNKS + 1;
/** A chunk's bytes at most: with RESIDENT_CHUNKS resident, the data path holds ≤ 288 MB of pixels. */
export const CHUNK_BYTES = 32 * 1024 * 1024;
/** Images in a chunk at most, so small images still come in chunks the order can shuffle. */
export const CHUNK_IMAGES = 512;

/** Images per chunk for a stored image size: as many as fit CHUNK_BYTES, at most CHUNK_IMAGES. */
export function imagesPerChunk(size: number): number {
  return Math.max(1, Math.min(CHUNK_IMAGES, Math.floor(CHUNK_BYTES / (size * size * 3))));
}

/** The chunk holding image i (binary search over starts). */
export function chunkOf(starts: readonly number[], i: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= i) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Pixels in chunks held in memory (tests, and a dataset prepared in one process without a cache). */
export function memoryChunks(chunks: Uint8Array[], imageBytes: number): PixelChunks & { reads: number[] } {
  const starts: number[] = [];
  let count = 0;
  for (const c of chunks) {
    starts.push(count);
    count += c.length / imageBytes;
  }
  const reads: number[] = [];
  return {
    kind: 'chunks',
    starts,
    count,
    imageBytes,
    reads,
    read: (k) => {
      reads.push(k);
      return Promise.resolve(chunks[k]);
    },
  };
}

/**
 * Reads images out of chunks with at most `capacity` chunks resident (least recently used goes first).
 * A chunk asked for twice while its read is under way is read once; `prefetch` starts a read without
 * waiting for it, so the next batch's chunk arrives while a step runs.
 */
export class ChunkReader {
  private readonly resident = new Map<number, Promise<Uint8Array>>();
  /** Chunks read from storage so far (a test counts them; a bench reports them). */
  loads = 0;
  /** The most chunks resident at once. */
  peakResident = 0;

  constructor(
    readonly chunks: PixelChunks,
    private readonly capacity = RESIDENT_CHUNKS,
  ) {}

  private get(k: number): Promise<Uint8Array> {
    let p = this.resident.get(k);
    if (p) {
      this.resident.delete(k); // re-inserted below: most recently used last
    } else {
      this.loads++;
      p = this.chunks.read(k);
      // A failed read is not kept: the next ask reads again (and the caller sees this one's error).
      p.catch(() => this.resident.get(k) === p && this.resident.delete(k));
    }
    this.resident.set(k, p);
    while (this.resident.size > this.capacity) this.resident.delete(this.resident.keys().next().value!);
    this.peakResident = Math.max(this.peakResident, this.resident.size);
    return p;
  }

  /** Starts reading the chunks of these images, without waiting. */
  prefetch(indices: ArrayLike<number>, start: number, end: number): void {
    const seen = new Set<number>();
    for (let j = start; j < end; j++) seen.add(chunkOf(this.chunks.starts, indices[j]));
    for (const k of seen) if (!this.resident.has(k)) void this.get(k).catch(() => undefined);
  }

  /** Calls `use(j, pixels)` for each image indices[start + j], its chunks read as needed. */
  async forEach(
    indices: ArrayLike<number>,
    start: number,
    end: number,
    use: (j: number, pixels: Uint8Array) => void,
  ): Promise<void> {
    const { starts, imageBytes } = this.chunks;
    // Group by chunk so each chunk is asked for once per batch, however the batch is ordered.
    const byChunk = new Map<number, number[]>();
    for (let j = start; j < end; j++) {
      const k = chunkOf(starts, indices[j]);
      let list = byChunk.get(k);
      if (!list) byChunk.set(k, (list = []));
      list.push(j);
    }
    for (const [k, list] of byChunk) {
      const bytes = await this.get(k);
      for (const j of list) {
        const at = (indices[j] - starts[k]) * imageBytes;
        use(j - start, bytes.subarray(at, at + imageBytes));
      }
    }
  }
}
