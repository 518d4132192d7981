import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../backend';

/** Tests run on the same backend the headless runner uses (wasm with our gradient kernels). */
export async function useTestBackend(name: 'wasm' | 'cpu' = 'wasm'): Promise<void> {
  if (tf.getBackend() === name) return;
  const report = await selectBackend({ forced: name });
  if (report.name !== name) throw new Error(`expected the ${name} backend, got ${report.name}`);
}

export function expectClose(actual: number, expected: number, tol: number, what = ''): void {
  const err = Math.abs(actual - expected);
  if (!(err <= tol * Math.max(1, Math.abs(expected))))
    throw new Error(`${what}: ${actual} vs ${expected} (error ${err} > ${tol})`);
}

export function expectMatrixClose(
  actual: number[][] | Float32Array | number[],
  expected: number[][],
  tol: number,
  what = '',
): void {
  const a =
    Array.isArray(actual) && Array.isArray(actual[0])
      ? (actual as number[][]).flat()
      : Array.from(actual as ArrayLike<number>);
  const e = expected.flat();
  if (a.length !== e.length) throw new Error(`${what}: length ${a.length} vs ${e.length}`);
  a.forEach((v, i) => expectClose(v, e[i], tol, `${what}[${i}]`));
}

/**
 * The largest |a − b| relative to the reference b's largest magnitude (at least `floor`): the measure the
 * kernel tests hold to 1e-5 or 1e-4 of the largest value.
 */
export function relativeToLargest(a: ArrayLike<number>, b: ArrayLike<number>, floor = 1e-30): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let scale = floor,
    m = 0;
  for (let i = 0; i < b.length; i++) {
    scale = Math.max(scale, Math.abs(b[i]));
    m = Math.max(m, Math.abs(a[i] - b[i]));
  }
  return m / scale;
}
