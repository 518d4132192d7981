import { createRng, permutation } from '../random';
import { SPLIT } from '../types';

/** Shares of each (class, group) cell held out for validation and test; the rest trains. */
export const SPLIT_FRACTIONS = { val: 0.15, test: 0.25 } as const;

/**
 * Seeded split stratified by (class, group): every cell keeps its share in train, val and test,
 * so per-group recalls on the test split are not starved by chance. Val (carved from what would
 * be train) is for model selection; test is only ever used for the final report.
 */
export function stratifiedSplit(
  labels: ArrayLike<number>,
  groups: ArrayLike<number>,
  opts: { val: number; test: number; seed: number },
): Uint8Array {
  const n = labels.length;
  const cells = new Map<string, number[]>();
  for (let i = 0; i < n; i++) {
    const k = `${labels[i]}:${groups[i]}`;
    let cell = cells.get(k);
    if (!cell) cells.set(k, (cell = []));
    cell.push(i);
  }
  const rng = createRng(opts.seed);
  const split = new Uint8Array(n).fill(SPLIT.train);
  for (const k of [...cells.keys()].sort()) {
    const idx = cells.get(k)!;
    const order = permutation(idx.length, rng);
    const nTest = Math.round(idx.length * opts.test);
    const nVal = Math.round(idx.length * opts.val);
    for (let j = 0; j < idx.length; j++) {
      const i = idx[order[j]];
      split[i] = j < nTest ? SPLIT.test : j < nTest + nVal ? SPLIT.val : SPLIT.train;
    }
  }
  return split;
}

export function indicesOf(split: Uint8Array, code: number): Int32Array {
  let count = 0;
  for (let i = 0; i < split.length; i++) if (split[i] === code) count++;
  const out = new Int32Array(count);
  for (let i = 0, j = 0; i < split.length; i++) if (split[i] === code) out[j++] = i;
  return out;
}
