import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, it } from 'vitest';
import { expectClose, expectMatrixClose, useTestBackend } from '../testing/setup';
import { numericGradient, randomMatrix, refDKD, refKD } from '../testing/reference';
import { dkdParts } from './dkd';

beforeAll(() => useTestBackend());

const oneHot = (y: number[], k: number) => tf.oneHot(tf.tensor1d(y, 'int32'), k).toFloat() as tf.Tensor2D;

describe('Decoupled KD', () => {
  it('matches the 2×3 example worked in float64 (T = 2)', () => {
    const [t, n] = tf.tidy(() => {
      const p = dkdParts(
        tf.tensor2d([
          [1, 2, 3],
          [0.5, -1, 0],
        ]),
        tf.tensor2d([
          [3, 1, 0],
          [0, 2, -1],
        ]),
        oneHot([2, 1], 3),
        2,
      );
      return [p.tckd.dataSync()[0], p.nckd.dataSync()[0]];
    });
    expectClose(t, 1.4126444477299742, 1e-5, 'TCKD');
    expectClose(n, 0.5297608662121833, 1e-5, 'NCKD');
  });

  it('reassembles classic KD: KD = TCKD + (1 − p_t(target))·NCKD for one example (the paper’s identity)', () => {
    const s = randomMatrix(1, 6, 3, -3, 3);
    const te = randomMatrix(1, 6, 4, -3, 3);
    const T = 4;
    const [t, n] = tf.tidy(() => {
      const p = dkdParts(tf.tensor2d(s), tf.tensor2d(te), oneHot([2], 6), T);
      return [p.tckd.dataSync()[0], p.nckd.dataSync()[0]];
    });
    const z = te[0].map((v) => v / T);
    const m = Math.max(...z);
    const pt = Math.exp(z[2] - m) / z.reduce((acc, v) => acc + Math.exp(v - m), 0);
    expectClose(t + (1 - pt) * n, refKD(s, te, T), 1e-5, 'KD identity');
  });

  it('agrees with the float64 loop reference on random inputs', () => {
    for (const seed of [5, 6]) {
      const s = randomMatrix(6, 5, seed, -4, 4);
      const t = randomMatrix(6, 5, seed + 9, -4, 4);
      const y = [0, 1, 2, 3, 4, 0];
      const [tc, nc] = tf.tidy(() => {
        const p = dkdParts(tf.tensor2d(s), tf.tensor2d(t), oneHot(y, 5), 4);
        return [p.tckd.dataSync()[0], p.nckd.dataSync()[0]];
      });
      const ref = refDKD(s, t, y, 4);
      expectClose(tc, ref.tckd, 1e-5, 'TCKD');
      expectClose(nc, ref.nckd, 1e-5, 'NCKD');
    }
  });

  it('gradient of α·TCKD + β·NCKD matches finite differences', () => {
    const s = randomMatrix(3, 4, 31);
    const t = randomMatrix(3, 4, 32);
    const y = [1, 3, 0];
    const f = (m: number[][]) => {
      const r = refDKD(m, t, y, 4);
      return r.tckd + 8 * r.nckd;
    };
    const g = tf.tidy(
      () =>
        tf
          .grad((x: tf.Tensor) => {
            const p = dkdParts(x as tf.Tensor2D, tf.tensor2d(t), oneHot(y, 4), 4);
            return tf.add(p.tckd, tf.mul(8, p.nckd));
          })(tf.tensor2d(s))
          .arraySync() as number[][],
    );
    expectMatrixClose(g, numericGradient(f, s), 2e-4, 'dDKD');
  });
});
