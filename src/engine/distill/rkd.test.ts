import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectClose, expectMatrixClose, useTestBackend } from '../testing/setup';
import {
  coincidentPairs,
  numericGradient,
  randomMatrix,
  refRkdAngle,
  refRkdDistance,
  refRkdHeld,
} from '../testing/reference';
import { distancePotential, rkdAngleLoss, rkdDistanceLoss } from './rkd';

beforeAll(() => useTestBackend());

// A 3-4-5 triangle for the student, another triangle for the teacher (B = 3, D = 2).
const es = [
  [0, 0],
  [3, 0],
  [0, 4],
];
const et = [
  [1, 1],
  [2, 1],
  [1, 3],
];

describe('Relational KD', () => {
  it('distance potential of the 3-4-5 triangle is d/μ with μ = 4', () => {
    const p = tf.tidy(() => distancePotential(tf.tensor2d(es)).arraySync());
    expectMatrixClose(
      p,
      [
        [0, 0.75, 1],
        [0.75, 0, 1.25],
        [1, 1.25, 0],
      ],
      1e-6,
      'ψ_D',
    );
  });

  it('matches the hand-worked losses of the two triangles', () => {
    const [d, a] = tf.tidy(() => [
      rkdDistanceLoss(tf.tensor2d(es), tf.tensor2d(et)).dataSync()[0],
      rkdAngleLoss(tf.tensor2d(es), tf.tensor2d(et)).dataSync()[0],
    ]);
    expectClose(d, 0.008933965522068864, 1e-5, 'L_D');
    expectClose(a, 0.0026883483166820874, 1e-5, 'L_A');
  });

  it('is relational, not pointwise: zero for a rotated, scaled, shifted copy of the teacher', () => {
    const t = randomMatrix(6, 3, 11);
    // Rotate about z by 0.7 rad, scale by 3, shift: every distance ratio and angle is kept.
    const c = Math.cos(0.7),
      s = Math.sin(0.7);
    const st = t.map(([x, y, z]) => [3 * (c * x - s * y) + 5, 3 * (s * x + c * y) - 2, 3 * z + 1]);
    const [d, a] = tf.tidy(() => [
      rkdDistanceLoss(tf.tensor2d(st), tf.tensor2d(t)).dataSync()[0],
      rkdAngleLoss(tf.tensor2d(st), tf.tensor2d(t)).dataSync()[0],
    ]);
    expect(d).toBeLessThan(1e-8);
    expect(a).toBeLessThan(1e-8);
    // ...while a pointwise loss would see a large difference.
    expect(Math.abs(st[0][0] - t[0][0])).toBeGreaterThan(1);
  });

  it('agrees with the float64 loop reference on random inputs (student and teacher of different widths)', () => {
    for (const seed of [1, 2]) {
      const s = randomMatrix(7, 5, seed);
      const t = randomMatrix(7, 9, seed + 50);
      const [d, a] = tf.tidy(() => [
        rkdDistanceLoss(tf.tensor2d(s), tf.tensor2d(t)).dataSync()[0],
        rkdAngleLoss(tf.tensor2d(s), tf.tensor2d(t)).dataSync()[0],
      ]);
      expectClose(d, refRkdDistance(s, t), 1e-5, 'L_D');
      expectClose(a, refRkdAngle(s, t), 1e-5, 'L_A');
    }
  });

  it('computes the angle term in anchor chunks with the same result', () => {
    const s = randomMatrix(9, 4, 5);
    const t = randomMatrix(9, 6, 6);
    const [whole, chunked] = tf.tidy(() => [
      rkdAngleLoss(tf.tensor2d(s), tf.tensor2d(t), 9).dataSync()[0],
      rkdAngleLoss(tf.tensor2d(s), tf.tensor2d(t), 2).dataSync()[0],
    ]);
    expectClose(chunked, whole, 1e-6, 'chunked');
    expectClose(whole, refRkdAngle(s, t), 1e-5, 'reference');
  });

  it('gradients match finite differences of the float64 reference', () => {
    const s = randomMatrix(4, 3, 21);
    const t = randomMatrix(4, 3, 22);
    const gd = tf.tidy(
      () =>
        tf
          .grad((x: tf.Tensor) => rkdDistanceLoss(x as tf.Tensor2D, tf.tensor2d(t)))(tf.tensor2d(s))
          .arraySync() as number[][],
    );
    expectMatrixClose(
      gd,
      numericGradient((m) => refRkdDistance(m, t), s),
      2e-4,
      'dL_D',
    );
    const ga = tf.tidy(
      () =>
        tf
          .grad((x: tf.Tensor) => rkdAngleLoss(x as tf.Tensor2D, tf.tensor2d(t)))(tf.tensor2d(s))
          .arraySync() as number[][],
    );
    expectMatrixClose(
      ga,
      numericGradient((m) => refRkdAngle(m, t), s),
      2e-4,
      'dL_A',
    );
  });

  it('stays finite on identical rows (the same image twice) with the reference’s loss and gradients', () => {
    // Rows 1 and 3 coincide in the student and in the teacher, as for one image imported under two names.
    const s = randomMatrix(5, 3, 31);
    const t = randomMatrix(5, 4, 32);
    s[3] = s[1].slice();
    t[3] = t[1].slice();
    const heldS = coincidentPairs(s);
    const heldT = coincidentPairs(t);
    expect([...heldS]).toEqual(['1,3']);
    const ref = refRkdHeld(s, t, heldS, heldT);
    const [d, a] = tf.tidy(() => [
      rkdDistanceLoss(tf.tensor2d(s), tf.tensor2d(t)).dataSync()[0],
      rkdAngleLoss(tf.tensor2d(s), tf.tensor2d(t)).dataSync()[0],
    ]);
    expectClose(d, ref.distance, 1e-5, 'L_D');
    expectClose(a, ref.angle, 1e-5, 'L_A');
    const grad = (f: (x: tf.Tensor2D, y: tf.Tensor2D) => tf.Scalar) =>
      tf.tidy(
        () =>
          tf
            .grad((x: tf.Tensor) => f(x as tf.Tensor2D, tf.tensor2d(t)))(tf.tensor2d(s))
            .arraySync() as number[][],
      );
    const gd = grad(rkdDistanceLoss);
    const ga = grad(rkdAngleLoss);
    expect(gd.flat().every(Number.isFinite)).toBe(true);
    expect(ga.flat().every(Number.isFinite)).toBe(true);
    expectMatrixClose(
      gd,
      numericGradient((m) => refRkdHeld(m, t, heldS, heldT).distance, s),
      2e-4,
      'dL_D',
    );
    expectMatrixClose(
      ga,
      numericGradient((m) => refRkdHeld(m, t, heldS, heldT).angle, s),
      2e-4,
      'dL_A',
    );
  });

  it('a student with identical rows against a teacher without them still gives finite losses and gradients', () => {
    const s = randomMatrix(4, 3, 41);
    s[2] = s[0].slice();
    const t = randomMatrix(4, 3, 42);
    const [d, a, gd, ga] = tf.tidy(() => {
      const T = tf.tensor2d(t);
      return [
        rkdDistanceLoss(tf.tensor2d(s), T).dataSync()[0],
        rkdAngleLoss(tf.tensor2d(s), T).dataSync()[0],
        tf
          .grad((x: tf.Tensor) => rkdDistanceLoss(x as tf.Tensor2D, T))(tf.tensor2d(s))
          .dataSync(),
        tf
          .grad((x: tf.Tensor) => rkdAngleLoss(x as tf.Tensor2D, T))(tf.tensor2d(s))
          .dataSync(),
      ] as const;
    });
    expect(Number.isFinite(d) && Number.isFinite(a)).toBe(true);
    expect([...gd, ...ga].every(Number.isFinite)).toBe(true);
    expectClose(a, refRkdHeld(s, t, coincidentPairs(s), new Set()).angle, 1e-5, 'L_A');
  });
});
