import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectClose, useTestBackend } from '../testing/setup';
import { refKD, randomMatrix } from '../testing/reference';
import { ctkdTemperature, curriculumLambda, curriculumTemperatureKD, gradientReversal } from './ctkd';
import { kdLoss } from './common';
import { withDefaults } from './method';

beforeAll(() => useTestBackend());

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

describe('Curriculum Temperature KD', () => {
  it('curriculum goes 0 → −1 along a cosine over E_c epochs, then stays at −1', () => {
    expect(curriculumLambda(0, 10)).toBeCloseTo(0, 12);
    expect(curriculumLambda(5, 10)).toBeCloseTo(-0.5, 12);
    expect(curriculumLambda(10, 10)).toBeCloseTo(-1, 12);
    expect(curriculumLambda(25, 10)).toBeCloseTo(-1, 12);
    expect(curriculumLambda(2, 10)).toBeCloseTo((Math.cos(Math.PI / 5) + 1) / 2 - 1, 12);
  });

  it('the reversal layer is the identity forward and scales the gradient by λ backward', () => {
    const x = tf.tensor1d([0.3, -2]);
    const [fwd, g] = tf.tidy(() => [
      gradientReversal(x, -0.7).arraySync(),
      tf
        .grad((t: tf.Tensor) => tf.sum(tf.mul(gradientReversal(t, -0.7), tf.tensor1d([2, 3]))))(x)
        .arraySync(),
    ]);
    expect(fwd).toEqual([expect.closeTo(0.3, 6), expect.closeTo(-2, 6)]);
    expect(g).toEqual([expect.closeTo(-1.4, 6), expect.closeTo(-2.1, 6)]);
    x.dispose();
  });

  it('T = 1 + 20·sigmoid(θ) lies in (1, 21)', () => {
    for (const theta of [-30, 0, 1, 30]) {
      const t = tf.tidy(() => ctkdTemperature(tf.scalar(theta), 0, 1, 20).dataSync()[0]);
      expectClose(t, 1 + 20 * sigmoid(theta), 1e-5, `T(θ=${theta})`);
      expect(t).toBeGreaterThanOrEqual(1);
      expect(t).toBeLessThanOrEqual(21);
    }
  });

  it('θ’s gradient is the KD loss’s gradient reversed and scaled by the schedule: θ ascends the loss', () => {
    const zs = randomMatrix(4, 5, 1);
    const zt = randomMatrix(4, 5, 2);
    const theta0 = 0.4;
    // d/dθ of the KD loss at T(θ) without reversal, by central differences in float64.
    const L = (th: number) => refKD(zs, zt, 1 + 20 * sigmoid(th));
    const plain = (L(theta0 + 1e-5) - L(theta0 - 1e-5)) / 2e-5;
    for (const epoch of [0, 3, 10]) {
      const lambda = curriculumLambda(epoch, 10);
      const g = tf.tidy(
        () =>
          tf
            .grad((th: tf.Tensor) => kdLoss(tf.tensor2d(zs), tf.tensor2d(zt), ctkdTemperature(th, lambda, 1, 20)))(
              tf.scalar(theta0),
            )
            .dataSync()[0],
      );
      expectClose(g, lambda * plain, 2e-3, `epoch ${epoch}`);
    }
    expect(plain).not.toBe(0);
  });

  it('the method’s state follows the curriculum and reports the temperature as a live term', () => {
    const p = withDefaults(curriculumTemperatureKD, { curriculumEpochs: 4 });
    const state = curriculumTemperatureKD.setup!({ params: p, studentDim: 2, teacherDim: 2, classes: 3, seed: 0 });
    state.beforeEpoch!(2);
    expect(state.lambda).toBeCloseTo(-0.5, 10);
    const out = tf.tidy(() => {
      const l = tf.tensor1d([0, 1], 'int32');
      const r = curriculumTemperatureKD.loss(
        {
          studentLogits: tf.tensor2d([
            [1, 0, 0],
            [0, 1, 0],
          ]),
          studentEmbedding: tf.zeros([2, 2]),
          teacher: {
            logits: tf.tensor2d([
              [2, 0, 0],
              [0, 0, 1],
            ]),
            embedding: tf.zeros([2, 2]),
          },
          labels: l,
          oneHot: tf.oneHot(l, 3).toFloat() as tf.Tensor2D,
          epoch: 2,
        },
        p,
        state,
      );
      return r.terms.temperature.dataSync()[0];
    });
    expectClose(out, 1 + 20 * sigmoid(1), 1e-5, 'T at θ = 1');
    state.dispose();
  });
});
