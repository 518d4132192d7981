import { permutation } from '../random';
import { chunkOf, WINDOW_CHUNKS } from './pixelChunks';

/**
 * One epoch's order of the training examples, from a seeded stream.
 *
 * Pixels in memory: a uniform permutation of the whole split (the order every run before chunked data
 * used, kept draw for draw so those runs reproduce).
 *
 * Pixels in chunks: the chunks are permuted, and the examples of each window of WINDOW_CHUNKS chunks are
 * permuted together — the shard-then-buffer shuffle of TFRecord/WebDataset pipelines — so an epoch reads
 * every chunk once and keeps at most two windows resident. Preparation writes the images into chunks in a
 * seeded shuffled order, so a window holds a random sample of every class and group, not one scene's
 * photos. Both orders hold every training example exactly once.
 */
export function epochOrder(
  train: Int32Array,
  rng: () => number,
  starts?: readonly number[],
  windowChunks = WINDOW_CHUNKS,
): Int32Array {
  if (!starts || starts.length <= windowChunks) {
    const perm = permutation(train.length, rng);
    return perm.map((p) => train[p]);
  }
  const byChunk: number[][] = starts.map(() => []);
  for (const i of train) byChunk[chunkOf(starts, i)].push(i);
  const chunkPerm = permutation(starts.length, rng);
  const out = new Int32Array(train.length);
  let n = 0;
  for (let w = 0; w < chunkPerm.length; w += windowChunks) {
    const pool: number[] = [];
    for (let c = w; c < Math.min(w + windowChunks, chunkPerm.length); c++) pool.push(...byChunk[chunkPerm[c]]);
    const perm = permutation(pool.length, rng);
    for (const p of perm) out[n++] = pool[p];
  }
  return out;
}
