import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectClose, expectMatrixClose, useTestBackend } from '../testing/setup';
import { numericGradient, randomMatrix, refND } from '../testing/reference';
import { applyHead, buildHead, dropoutMask, HEAD_DROPOUT, kdPlusPlus, ndLoss, normalizeRows } from './kdpp';
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

  it('adds the BN → Dropout → Linear head only when the embedding widths differ, and disposes it', () => {
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
    const [norm, linear] = diff.trainableModels!;
    expect(diff.trainableModels).toHaveLength(2);
    expect(norm.outputs[0].shape).toEqual([null, 4]);
    expect(linear.outputs[0].shape).toEqual([null, 6]);
    // BN's γ, β trainable (+ moving mean/variance), the Linear layer's kernel and bias.
    expect(norm.trainableWeights.map((w) => w.shape)).toEqual([[4], [4]]);
    expect(linear.trainableWeights.map((w) => w.shape)).toEqual([[4, 6], [6]]);
    const bound = 1 / Math.sqrt(4); // PyTorch's Linear default for the weight: U(±1/√fan_in)
    const [kernel, bias] = linear.getWeights().map((w) => Array.from(w.dataSync()));
    expect(Math.max(...kernel.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(new Set(kernel).size).toBe(kernel.length); // drawn, not zeros or ones
    // The reference's EmbTrans zeroes every Linear bias after construction.
    expect(bias).toEqual([0, 0, 0, 0, 0, 0]);
    diff.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('KD++ projection head (the reference’s BatchNorm1d(ε=1e-5) → Dropout(0.5) → Linear)', () => {
  // Fixed weights: γ, β, moving mean and variance; W (3×2) and b.
  const gamma = [2, 0.5, 1];
  const beta = [0.1, -0.2, 0];
  const mean = [1, -1, 0.5];
  const variance = [4, 0.25, 1e-5];
  const W = [
    [1, -1],
    [0.5, 2],
    [-3, 0.25],
  ];
  const b = [0.3, -0.7];
  const fs = [
    [3, 0, 0.5],
    [-1, -2, 0.5 + 1e-3],
  ];
  const withWeights = () => {
    const head = buildHead(3, 2, 7);
    head.norm.setWeights([tf.tensor1d(gamma), tf.tensor1d(beta), tf.tensor1d(mean), tf.tensor1d(variance)]);
    head.linear.setWeights([tf.tensor2d(W), tf.tensor1d(b)]);
    return head;
  };
  const linearByHand = (h: number[]) => b.map((bj, j) => bj + h.reduce((a, hk, k) => a + hk * W[k][j], 0));

  it('in inference equals BN with the moving statistics (ε = 1e-5) and then the linear map, by hand', () => {
    const head = withWeights();
    const out = tf.tidy(() => applyHead(head, tf.tensor2d(fs), false).arraySync());
    // ε matters here: variance 1e-5 in the third feature halves its scale against ε = 0 (tfjs's default is 1e-3).
    const expected = fs.map((row) =>
      linearByHand(row.map((x, k) => gamma[k] * ((x - mean[k]) / Math.sqrt(variance[k] + 1e-5)) + beta[k])),
    );
    expectMatrixClose(out, expected, 1e-5, 'head (inference)');
    head.norm.dispose();
    head.linear.dispose();
  });

  it('in training uses the batch statistics and drops half the features, ×2 for the kept ones', () => {
    const head = withWeights();
    const x = [
      [3, 0, 0.5],
      [-1, -2, 1.5],
      [0, 4, -0.5],
      [2, 1, 0.25],
    ];
    const step = 5;
    const mask = tf.tidy(() => dropoutMask(4, 3, HEAD_DROPOUT, 7, step).arraySync());
    expect(mask.flat().every((m) => m === 0 || m === 2)).toBe(true);
    const out = tf.tidy(() => applyHead(head, tf.tensor2d(x), true, step).arraySync());
    const mu = [0, 1, 2].map((k) => x.reduce((a, r) => a + r[k], 0) / x.length);
    const vr = [0, 1, 2].map((k) => x.reduce((a, r) => a + (r[k] - mu[k]) ** 2, 0) / x.length);
    const expected = x.map((row, i) =>
      linearByHand(row.map((v, k) => (gamma[k] * ((v - mu[k]) / Math.sqrt(vr[k] + 1e-5)) + beta[k]) * mask[i][k])),
    );
    expectMatrixClose(out, expected, 1e-4, 'head (training)');
    head.norm.dispose();
    head.linear.dispose();
  });

  it('draws a new dropout mask each step, the same one for the same step, at the stated rate', () => {
    const masks = tf.tidy(() => [1, 2, 1].map((step) => dropoutMask(64, 32, HEAD_DROPOUT, 3, step).dataSync()));
    expect(Array.from(masks[0])).toEqual(Array.from(masks[2]));
    expect(Array.from(masks[0])).not.toEqual(Array.from(masks[1]));
    const dropped = masks[1].filter((m) => m === 0).length / masks[1].length;
    expect(dropped).toBeGreaterThan(0.45);
    expect(dropped).toBeLessThan(0.55);
  });
});
