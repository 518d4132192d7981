import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectClose, expectMatrixClose, useTestBackend } from '../testing/setup';
import { numericGradient, randomMatrix, refND } from '../testing/reference';
import { kdPlusPlus, ndLoss, normalizeRows } from './kdpp';
import { withDefaults } from './method';

beforeAll(() => useTestBackend());

const nd = (fs: number[][], ft: number[][], means: number[][], y: number[]) =>
  tf.tidy(
    () =>
      ndLoss(
        tf.tensor2d(fs),
        tf.tensor2d(ft),
        normalizeRows(tf.tensor2d(means)),
        tf.tensor1d(y, 'int32'),
      ).dataSync()[0],
  );

describe('KD++ norm-and-direction loss', () => {
  it('matches the 2×3 example by hand', () => {
    // i=0: f_s=(1,2,2), ‖f_s‖=3 > ‖f_t‖=2, e=(1,0,0): 1 − 1/3.  i=1: f_s=(0,3,4), ‖f_t‖=10, e=(0,0,1): 1 − 4/10.
    const v = nd(
      [
        [1, 2, 2],
        [0, 3, 4],
      ],
      [
        [2, 0, 0],
        [0, 0, 10],
      ],
      [
        [1, 0, 0],
        [0, 0, 2],
        [0, 1, 0],
      ],
      [0, 1],
    );
    expectClose(v, (2 / 3 + 0.6) / 2, 1e-6, 'L_ND');
  });

  it('is zero when the student’s embedding equals the teacher’s and points along its class mean', () => {
    const means = [
      [2, 0, 0],
      [0, 3, 3],
    ];
    const f = [
      [5, 0, 0],
      [0, 2, 2],
    ];
    expect(Math.abs(nd(f, f, means, [0, 1]))).toBeLessThan(1e-6);
    // The same direction with a smaller norm than the teacher's is not yet zero: the norm is pushed up.
    expect(nd([[1, 0, 0]], [[5, 0, 0]], means, [0])).toBeCloseTo(0.8, 6);
  });

  it('agrees with the float64 loop reference on random inputs', () => {
    const fs = randomMatrix(6, 4, 1);
    const ft = randomMatrix(6, 4, 2, -5, 5);
    const means = randomMatrix(3, 4, 3);
    const y = [0, 1, 2, 2, 1, 0];
    expectClose(nd(fs, ft, means, y), refND(fs, ft, means, y), 1e-5, 'L_ND');
  });

  it('gradient matches finite differences of the float64 reference', () => {
    const fs = randomMatrix(3, 4, 41);
    const ft = randomMatrix(3, 4, 42, -1, 1); // teacher norms smaller, so the student's norm is the max
    const means = randomMatrix(2, 4, 43);
    const y = [0, 1, 1];
    const g = tf.tidy(
      () =>
        tf
          .grad((x: tf.Tensor) =>
            ndLoss(x as tf.Tensor2D, tf.tensor2d(ft), normalizeRows(tf.tensor2d(means)), tf.tensor1d(y, 'int32')),
          )(tf.tensor2d(fs))
          .arraySync() as number[][],
    );
    expectMatrixClose(
      g,
      numericGradient((m) => refND(m, ft, means, y), fs),
      1e-4,
      'dND',
    );
  });

  it('adds a BN → Linear projection only when the embedding widths differ, and disposes it', () => {
    const before = tf.memory().numTensors;
    const p = withDefaults(kdPlusPlus);
    const same = kdPlusPlus.setup!({
      params: p,
      studentDim: 4,
      teacherDim: 4,
      classes: 2,
      seed: 1,
      teacherClassMeans: () => tf.ones([2, 4]),
    });
    expect(same.trainableModels).toEqual([]);
    same.dispose();
    const diff = kdPlusPlus.setup!({
      params: p,
      studentDim: 4,
      teacherDim: 6,
      classes: 2,
      seed: 1,
      teacherClassMeans: () => tf.ones([2, 6]),
    });
    expect(diff.trainableModels).toHaveLength(1);
    expect(diff.trainableModels![0].outputs[0].shape).toEqual([null, 6]);
    diff.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
