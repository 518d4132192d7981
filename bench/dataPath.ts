import * as tf from '@tensorflow/tfjs';
import { BatchReader, batchRanges, disposeBatch } from '../src/engine/data/batches';
import { epochOrder } from '../src/engine/data/epochOrder';
import { imagesPerChunk, memoryChunks } from '../src/engine/data/pixelChunks';
import { createRng } from '../src/engine/random';
import { SPLIT, type Dataset } from '../src/engine/types';

/**
 * What the data path delivers at 224 px, in images per second, on the same code in Node and in the bench
 * page: decoding a 640×480 JPEG to its 224 px square (the preparation, paid once per dataset), and
 * streaming prepared batches of 16 — chunk lookup, normalising to [−1, 1], the tensors — plainly and with
 * crop+flip (what every epoch pays). A training step needs batch / step-seconds images per second.
 */
export interface DataPathRate {
  where: string;
  size: number;
  batch: number;
  photos: number;
  decodeImagesPerSecond: number;
  streamImagesPerSecond: number;
  augmentedImagesPerSecond: number;
}

export async function dataPathRate<P>(
  where: string,
  photos: P[],
  decode: (photo: P, size: number) => Promise<Uint8Array>,
  size = 224,
  batch = 16,
  streamImages = 2048,
): Promise<DataPathRate> {
  const t0 = performance.now();
  const squares: Uint8Array[] = [];
  for (const p of photos) squares.push(await decode(p, size));
  const decodeImagesPerSecond = photos.length / ((performance.now() - t0) / 1000);
  // streamImages prepared images in chunks of the size's count, the decoded squares repeated.
  const px = size * size * 3;
  const per = imagesPerChunk(size);
  const chunks: Uint8Array[] = [];
  for (let a = 0; a < streamImages; a += per) {
    const c = new Uint8Array(Math.min(per, streamImages - a) * px);
    for (let i = 0; i < c.length / px; i++) c.set(squares[(a + i) % squares.length], i * px);
    chunks.push(c);
  }
  const data: Dataset = {
    key: 'bench',
    name: 'bench',
    config: { kind: 'imported', key: 'bench', name: 'bench', size, count: streamImages, source: 'wider' },
    size,
    count: streamImages,
    images: memoryChunks(chunks, px),
    labels: new Uint8Array(streamImages),
    groups: new Int8Array(streamImages),
    split: new Uint8Array(streamImages).fill(SPLIT.train),
    classNames: ['a', 'b'],
    groupNames: ['m', 'f'],
  };
  const stream = async (augment: boolean) => {
    const reader = new BatchReader(data);
    const order = epochOrder(
      Int32Array.from({ length: streamImages }, (_, i) => i),
      createRng(1),
      reader.starts,
    );
    const ranges = batchRanges(order.length, batch);
    const start = tf.memory().numTensors;
    const t = performance.now();
    for (let s = 0; s < ranges.length; s++) {
      const b = await reader.batch(order, ranges[s][0], ranges[s][1], 2, augment ? { seed: 1, epoch: 1 } : undefined);
      reader.prefetch(order, ranges[s][1], ranges[s + 1]?.[1] ?? ranges[s][1]);
      disposeBatch(b);
    }
    const seconds = (performance.now() - t) / 1000;
    if (tf.memory().numTensors !== start) throw new Error('the data path left tensors behind');
    return streamImages / seconds;
  };
  return {
    where,
    size,
    batch,
    photos: photos.length,
    decodeImagesPerSecond,
    streamImagesPerSecond: await stream(false),
    augmentedImagesPerSecond: await stream(true),
  };
}
