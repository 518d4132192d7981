import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectClose, expectMatrixClose, useTestBackend } from '../testing/setup';
import { numericGradient, randomMatrix, refCE, refKD } from '../testing/reference';
import { crossEntropy, kdLoss } from './common';
import { classicKD } from './kd';
import { withDefaults } from './method';

beforeAll(() => useTestBackend());

const zs = [
  [1, 2, 3],
  [0.5, -1, 0],
];
const zt = [
  [3, 1, 0],
  [0, 2, -1],
];
const y = [2, 1];

describe('Classic KD (Hinton)', () => {
  it('matches the 2×3 example computed by hand (T = 2)', () => {
    // T²·mean_i Σ_k p_t(log p_t − log p_s) at T = 2, worked in float64 outside this code base.
    const v = tf.tidy(() => kdLoss(tf.tensor2d(zs), tf.tensor2d(zt), 2).dataSync()[0]);
    expectClose(v, 1.860807217001952, 1e-5, 'KD');
    const ce = tf.tidy(
      () => crossEntropy(tf.tensor2d(zs), tf.oneHot(tf.tensor1d(y, 'int32'), 3).toFloat() as tf.Tensor2D).dataSync()[0],
    );
    expectClose(ce, 1.2558682848905542, 1e-5, 'CE');
  });

  it('keeps the T² factor: the loss is not the bare KL (the bug of a KD term that vanishes at high T)', () => {
    const bare = refKD(zs, zt, 8) / 64;
    const v = tf.tidy(() => kdLoss(tf.tensor2d(zs), tf.tensor2d(zt), 8).dataSync()[0]);
    expectClose(v, refKD(zs, zt, 8), 1e-5, 'KD at T=8');
    expect(v).toBeGreaterThan(30 * bare);
    expect(v).toBeGreaterThan(0.01);
  });

  it('is zero when student and teacher agree, positive otherwise', () => {
    const same = tf.tidy(() => kdLoss(tf.tensor2d(zt), tf.tensor2d(zt), 4).dataSync()[0]);
    expect(Math.abs(same)).toBeLessThan(1e-6);
  });

  it('agrees with a float64 loop reference on random inputs, total = α_ce·CE + α_kd·KD', () => {
    for (const seed of [1, 2, 3]) {
      const s = randomMatrix(8, 5, seed, -4, 4);
      const t = randomMatrix(8, 5, seed + 100, -4, 4);
      const labels = s.map((_, i) => (i * 3 + seed) % 5);
      const p = withDefaults(classicKD);
      const out = tf.tidy(() => {
        const l = tf.tensor1d(labels, 'int32');
        const r = classicKD.loss(
          {
            studentLogits: tf.tensor2d(s),
            studentEmbedding: tf.zeros([8, 2]),
            teacher: { logits: tf.tensor2d(t), embedding: tf.zeros([8, 2]) },
            labels: l,
            oneHot: tf.oneHot(l, 5).toFloat() as tf.Tensor2D,
            epoch: 1,
          },
          p,
          undefined,
        );
        return [r.total.dataSync()[0], r.terms.KD.dataSync()[0], r.terms.CE.dataSync()[0]];
      });
      const kd = refKD(s, t, 4);
      const ce = refCE(s, labels);
      expectClose(out[1], kd, 1e-5, 'KD');
      expectClose(out[2], ce, 1e-5, 'CE');
      expectClose(out[0], 0.1 * ce + 0.9 * kd, 1e-5, 'total');
    }
  });

  it('gradient matches finite differences of the float64 reference', () => {
    const s = randomMatrix(3, 4, 7);
    const t = randomMatrix(3, 4, 8);
    const g = tf.tidy(
      () =>
        tf
          .grad((x: tf.Tensor) => kdLoss(x as tf.Tensor2D, tf.tensor2d(t), 3))(tf.tensor2d(s))
          .arraySync() as number[][],
    );
    expectMatrixClose(
      g,
      numericGradient((m) => refKD(m, t, 3), s),
      1e-4,
      'dKD/dz',
    );
  });
});
