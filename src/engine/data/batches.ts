import * as tf from '@tensorflow/tfjs';
import type { Dataset } from '../types';
import { centerCrop, cropFor, cropInto } from './augment';
import { ChunkReader } from './pixelChunks';

export interface Batch {
  x: tf.Tensor4D;
  labels: tf.Tensor1D;
  oneHot: tf.Tensor2D;
  /** Group as 0/1 float (unknown → 0, masked out). */
  groups: tf.Tensor1D;
  groupMask: tf.Tensor1D;
  size: number;
}

/** Pixels go to [−1, 1]; the same mapping is used for training, evaluation and the photo demo. */
export function normalizePixels(bytes: Uint8Array, out: Float32Array, offset = 0): void {
  for (let i = 0; i < bytes.length; i++) out[offset + i] = bytes[i] / 127.5 - 1;
}

function assemble(
  data: Dataset,
  indices: ArrayLike<number>,
  start: number,
  end: number,
  classes: number,
  x: Float32Array,
  size = data.size,
): Batch {
  const n = end - start;
  const labels = new Int32Array(n);
  const groups = new Float32Array(n);
  const mask = new Float32Array(n);
  for (let j = 0; j < n; j++) {
    const i = indices[start + j];
    labels[j] = data.labels[i];
    const g = data.groups[i];
    groups[j] = g === 1 ? 1 : 0;
    mask[j] = g === 0 || g === 1 ? 1 : 0;
  }
  const labelsT = tf.tensor1d(labels, 'int32');
  return {
    x: tf.tensor4d(x, [n, size, size, 3]),
    labels: labelsT,
    oneHot: tf.tidy(() => tf.oneHot(labelsT, classes).toFloat() as tf.Tensor2D),
    groups: tf.tensor1d(groups),
    groupMask: tf.tensor1d(mask),
    size: n,
  };
}

/** A batch of a dataset whose pixels are in memory (the built-in data, the photo demo, tests). */
export function makeBatch(
  data: Dataset,
  indices: ArrayLike<number>,
  start: number,
  end: number,
  classes: number,
): Batch {
  const images = data.images;
  if (!(images instanceof Uint8Array))
    throw new Error('makeBatch: the dataset is in chunks; read it with a BatchReader.');
  const px = data.size * data.size * 3;
  const x = new Float32Array((end - start) * px);
  for (let j = start; j < end; j++)
    normalizePixels(images.subarray(indices[j] * px, (indices[j] + 1) * px), x, (j - start) * px);
  return assemble(data, indices, start, end, classes, x);
}

/**
 * Batches of any dataset: in memory, straight from the array; in chunks, through a ChunkReader that keeps a
 * few chunks resident and reads the next batch's ahead while a step runs. With an input size below the
 * stored size, a batch holds input-size images: the center square (evaluation, and training without
 * augmentation) or the random-resized crop drawn on the whole stored image, resized to the input size.
 */
export class BatchReader {
  readonly chunks: ChunkReader | null;
  readonly inputSize: number;

  constructor(
    readonly data: Dataset,
    inputSize?: number,
  ) {
    this.chunks = data.images instanceof Uint8Array ? null : new ChunkReader(data.images);
    this.inputSize = inputSize ?? data.size;
    if (!Number.isInteger(this.inputSize) || this.inputSize < 1 || this.inputSize > data.size)
      throw new Error(
        `The input size ${this.inputSize} must be a whole number from 1 to the stored images' ${data.size} px.`,
      );
  }

  /**
   * The batch of indices[start, end); with `augment`, each image a random-resized crop and flip drawn for
   * (seed, epoch, example) — training only.
   */
  async batch(
    indices: ArrayLike<number>,
    start: number,
    end: number,
    classes: number,
    augment?: { seed: number; epoch: number },
  ): Promise<Batch> {
    const size = this.data.size;
    const input = this.inputSize;
    if (!this.chunks && !augment && input === size) return makeBatch(this.data, indices, start, end, classes);
    const px = size * size * 3;
    const inPx = input * input * 3;
    const x = new Float32Array((end - start) * inPx);
    const center = centerCrop(size, input);
    const put = (j: number, pixels: Uint8Array) => {
      if (augment)
        cropInto(pixels, size, cropFor(augment.seed, augment.epoch, indices[start + j], size), x, j * inPx, input);
      else if (input < size) cropInto(pixels, size, center, x, j * inPx, input);
      else normalizePixels(pixels, x, j * px);
    };
    const images = this.data.images;
    if (images instanceof Uint8Array)
      for (let j = start; j < end; j++) put(j - start, images.subarray(indices[j] * px, (indices[j] + 1) * px));
    else await this.chunks!.forEach(indices, start, end, put);
    return assemble(this.data, indices, start, end, classes, x, input);
  }

  /** The raw pixels of indices[start, end), packed (the photo demo's and the gallery's images). */
  async pixels(indices: ArrayLike<number>, start = 0, end = indices.length): Promise<Uint8Array> {
    const px = this.data.size * this.data.size * 3;
    const out = new Uint8Array((end - start) * px);
    const images = this.data.images;
    if (images instanceof Uint8Array)
      for (let j = start; j < end; j++)
        out.set(images.subarray(indices[j] * px, (indices[j] + 1) * px), (j - start) * px);
    else await this.chunks!.forEach(indices, start, end, (j, p) => out.set(p, j * px));
    return out;
  }

  /** Starts reading what indices[start, end) needs (nothing to do when the pixels are in memory). */
  prefetch(indices: ArrayLike<number>, start: number, end: number): void {
    if (this.chunks && start < end) this.chunks.prefetch(indices, start, Math.min(end, indices.length));
  }

  /** Chunk boundaries for the epoch order, or undefined when the pixels are in memory. */
  get starts(): readonly number[] | undefined {
    return this.chunks?.chunks.starts;
  }
}

export function disposeBatch(b: Batch): void {
  tf.dispose([b.x, b.labels, b.oneHot, b.groups, b.groupMask]);
}

/** Batch boundaries over n examples; the last batch may be short, but never of one example (BN needs two). */
export function batchRanges(n: number, batchSize: number): [number, number][] {
  const ranges: [number, number][] = [];
  for (let s = 0; s < n; s += batchSize) ranges.push([s, Math.min(n, s + batchSize)]);
  const last = ranges[ranges.length - 1];
  if (ranges.length > 1 && last[1] - last[0] < 2) {
    ranges.pop();
    ranges[ranges.length - 1][1] = n;
  }
  return ranges;
}
