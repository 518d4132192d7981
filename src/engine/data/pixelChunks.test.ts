import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { batchRanges, BatchReader, disposeBatch, makeBatch } from './batches';
import { epochOrder } from './epochOrder';
import { chunkOf, ChunkReader, memoryChunks, RESIDENT_CHUNKS, WINDOW_CHUNKS } from './pixelChunks';
import { createRng, permutation } from '../random';
import { SPLIT, type Dataset, type InMemoryDataset } from '../types';

/**
 * Pixels in chunks: the chunk of an image, the epoch order over chunks (every example once, a few chunks
 * resident), and batches read from chunks equal to batches from the same pixels in memory.
 */

const SIZE = 4;
const PX = SIZE * SIZE * 3;

/** n images whose bytes say which image they are, in memory and cut into chunks of the given counts. */
function twoWays(counts: number[]): {
  memory: InMemoryDataset;
  chunked: Dataset;
  chunks: ReturnType<typeof memoryChunks>;
} {
  const n = counts.reduce((a, b) => a + b, 0);
  const images = new Uint8Array(n * PX);
  for (let i = 0; i < n; i++) for (let b = 0; b < PX; b++) images[i * PX + b] = (i * 7 + b) % 256;
  const parts: Uint8Array[] = [];
  let at = 0;
  for (const c of counts) {
    parts.push(images.slice(at * PX, (at + c) * PX));
    at += c;
  }
  const chunks = memoryChunks(parts, PX);
  const memory: InMemoryDataset = {
    key: 't',
    name: 't',
    config: { kind: 'imported', key: 't', name: 't', size: SIZE, count: n, source: 'csv' },
    size: SIZE,
    count: n,
    images,
    labels: Uint8Array.from({ length: n }, (_, i) => i % 3),
    groups: Int8Array.from({ length: n }, (_, i) => (i % 5 === 0 ? -1 : i % 2)),
    split: new Uint8Array(n).fill(SPLIT.train),
    classNames: ['a', 'b', 'c'],
    groupNames: ['m', 'f'],
  };
  return { memory, chunked: { ...memory, images: chunks }, chunks };
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('pixels in chunks', () => {
  it('finds the chunk of an image over chunks of different counts', () => {
    const starts = [0, 3, 3, 10, 11];
    expect([0, 2, 3, 9, 10, 11, 40].map((i) => chunkOf(starts, i))).toEqual([0, 0, 2, 2, 3, 4, 4]);
  });

  it('in memory, the epoch order is the permutation every earlier run used, draw for draw', () => {
    const train = Int32Array.from({ length: 50 }, (_, i) => 3 * i + 1);
    const old = permutation(50, createRng(42)).map((p) => train[p]);
    expect(Array.from(epochOrder(train, createRng(42)))).toEqual(Array.from(old));
    // Chunks that all fit one window are shuffled as one, the same way.
    expect(Array.from(epochOrder(train, createRng(42), [0, 60, 120]))).toEqual(Array.from(old));
  });

  it('in chunks, every training example comes once, a window at a time, seeded', () => {
    const counts = [13, 9, 16, 16, 2, 16, 11, 16, 16, 5, 16];
    const starts = counts.map((_, k) => counts.slice(0, k).reduce((a, b) => a + b, 0));
    const n = counts.reduce((a, b) => a + b, 0);
    const train = Int32Array.from({ length: n }, (_, i) => i).filter((i) => i % 4 !== 3); // val/test left out
    const order = epochOrder(train, createRng(7), starts);
    expect([...order].sort((a, b) => a - b)).toEqual([...train]);
    expect(Array.from(epochOrder(train, createRng(7), starts))).toEqual(Array.from(order));
    expect(Array.from(epochOrder(train, createRng(8), starts))).not.toEqual(Array.from(order));
    // Walk the order: the chunks begun and not yet used up are never more than one window's, which is
    // what bounds the chunks a reader must hold.
    const left = new Map<number, number>();
    for (const i of train) left.set(chunkOf(starts, i), (left.get(chunkOf(starts, i)) ?? 0) + 1);
    const open = new Set<number>();
    let most = 0;
    for (const i of order) {
      const k = chunkOf(starts, i);
      open.add(k);
      left.set(k, left.get(k)! - 1);
      most = Math.max(most, open.size);
      if (left.get(k) === 0) open.delete(k);
    }
    expect(most).toBeLessThanOrEqual(WINDOW_CHUNKS);
    expect(most).toBeGreaterThan(1);
    // Chunks of one window are interleaved (examples shuffled across chunks), not read one after another.
    const firstWindow = order.slice(0, 20).map((i) => chunkOf(starts, i));
    expect(new Set(firstWindow).size).toBeGreaterThan(1);
  });

  it('reads each chunk once an epoch with two windows and one chunk ahead resident', async () => {
    const counts = Array.from({ length: 23 }, (_, k) => (k === 22 ? 7 : 16));
    const { chunked, chunks } = twoWays(counts);
    const train = Int32Array.from({ length: chunked.count }, (_, i) => i);
    const reader = new BatchReader(chunked);
    for (let epoch = 1; epoch <= 2; epoch++) {
      const order = epochOrder(train, createRng(epoch), reader.starts);
      const ranges = batchRanges(order.length, 10);
      for (let s = 0; s < ranges.length; s++) {
        const b = await reader.batch(order, ranges[s][0], ranges[s][1], 3);
        reader.prefetch(order, ranges[s][1], ranges[s + 1]?.[1] ?? ranges[s][1]);
        disposeBatch(b);
      }
      await Promise.resolve();
      // Epoch 1 reads every chunk exactly once; epoch 2 at most once more each (the last window's chunks
      // may still be resident when it starts).
      if (epoch === 1) expect([...chunks.reads].sort((a, b) => a - b)).toEqual(counts.map((_, k) => k));
    }
    expect(reader.chunks!.peakResident).toBeLessThanOrEqual(RESIDENT_CHUNKS);
    expect(chunks.reads.length).toBeLessThanOrEqual(2 * counts.length);
    expect(new Set(chunks.reads.slice(counts.length)).size).toBe(chunks.reads.length - counts.length);
  });

  it('a batch from chunks equals the batch from the same pixels in memory', async () => {
    const { memory, chunked } = twoWays([5, 7, 1, 9]);
    const idx = Int32Array.from([21, 0, 13, 5, 12, 4, 6, 11]);
    const start = tf.memory().numTensors;
    const a = makeBatch(memory, idx, 1, 8, 3);
    const b = await new BatchReader(chunked).batch(idx, 1, 8, 3);
    for (const k of ['x', 'labels', 'oneHot', 'groups', 'groupMask'] as const)
      expect(Array.from(await b[k].data())).toEqual(Array.from(await a[k].data()));
    // And the pixels are the images asked for: image 0's first byte is 0, image 13's is 91 (−1 + 2·91/255).
    const x = await b.x.data();
    expect(x[0]).toBeCloseTo(-1, 6);
    expect(x[PX]).toBeCloseTo((13 * 7) / 127.5 - 1, 6);
    disposeBatch(a);
    disposeBatch(b);
    expect(tf.memory().numTensors).toBe(start);
    expect(() => makeBatch(chunked, idx, 0, 2, 3)).toThrow(/in chunks; read it with a BatchReader/);
  });

  it('a chunk whose read fails is read again when next asked for', async () => {
    let fail = true;
    const reader = new ChunkReader({
      kind: 'chunks',
      starts: [0, 2],
      count: 4,
      imageBytes: 1,
      read: (k) =>
        k === 1 && fail
          ? Promise.reject(new Error('disk gone'))
          : Promise.resolve(Uint8Array.from([10 * k, 10 * k + 1])),
    });
    const got: number[] = [];
    await expect(reader.forEach([3], 0, 1, (_, p) => got.push(p[0]))).rejects.toThrow('disk gone');
    fail = false;
    await reader.forEach([3, 0], 0, 2, (_, p) => got.push(p[0]));
    expect(got).toEqual([11, 0]);
    expect(reader.loads).toBe(3);
  });
});
