import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestBackend } from '../testing/setup';
import { adversaryInput, adversaryLoss, buildAdversary, lambdaAt } from './adversary';

beforeAll(() => useTestBackend());

describe('adversary', () => {
  it('BCE with logits over the examples of known group only', () => {
    const v = tf.tidy(
      () => adversaryLoss(tf.tensor2d([[0], [2], [-1]]), tf.tensor1d([1, 0, 1]), tf.tensor1d([1, 1, 0])).dataSync()[0],
    );
    // (log 2 + log(1 + e²)) / 2: the third example's group is unknown.
    expect(v).toBeCloseTo((Math.log(2) + Math.log(1 + Math.exp(2))) / 2, 5);
  });

  it('its gradient reaches the student with the sign and scale λ sets: ∇(L − λ·L_A) = ∇L − λ·∇L_A', () => {
    const classes = 3;
    const adv = buildAdversary(classes, 4, false, 3);
    const student = tf.variable(tf.randomNormal([5, classes], 0, 1, 'float32', 1)); // the student's logits, as a variable
    const oneHot = tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1], 'int32'), classes).toFloat() as tf.Tensor2D;
    const groups = tf.tensor1d([1, 0, 1, 1, 0]);
    const mask = tf.ones([5]) as tf.Tensor1D;
    const task = () => tf.neg(tf.mean(tf.sum(tf.mul(oneHot, tf.logSoftmax(student)), 1))) as tf.Scalar;
    const advLoss = () =>
      adversaryLoss(
        adv.apply(adversaryInput(tf.softmax(student) as tf.Tensor2D, oneHot, false)) as tf.Tensor2D,
        groups,
        mask,
      );
    const grad = (lambda: number) =>
      tf.tidy(() => {
        const { value, grads } = tf.variableGrads(
          () => tf.sub(task(), tf.mul(lambda, advLoss())) as tf.Scalar,
          [student],
        );
        value.dispose();
        return Array.from(grads[student.name].dataSync());
      });
    const gAdv = tf.tidy(() => {
      const { value, grads } = tf.variableGrads(advLoss, [student]);
      value.dispose();
      return Array.from(grads[student.name].dataSync());
    });
    const g0 = grad(0);
    for (const lambda of [0.5, 2]) {
      const g = grad(lambda);
      g.forEach((v, i) => expect(v - g0[i]).toBeCloseTo(-lambda * gAdv[i], 5));
    }
    // The adversary's pull is not zero, so the check above is not vacuous.
    expect(Math.max(...gAdv.map(Math.abs))).toBeGreaterThan(1e-4);
    tf.dispose([student, oneHot, groups, mask]);
    adv.dispose();
  });

  it('λ schedule: off during warm-up, then constant or a linear ramp', () => {
    expect(lambdaAt(0.5, 1, 10, 2, 'constant')).toBe(0);
    expect(lambdaAt(0.5, 3, 10, 2, 'constant')).toBe(0.5);
    expect(lambdaAt(1, 6, 10, 2, 'linear')).toBeCloseTo(0.5, 12);
    expect(lambdaAt(1, 10, 10, 2, 'linear')).toBe(1);
  });

  it('the equalized-odds adversary also reads the true label', () => {
    const adv = buildAdversary(4, 8, true, 1);
    expect(adv.inputs[0].shape).toEqual([null, 8]);
    adv.dispose();
  });
});
