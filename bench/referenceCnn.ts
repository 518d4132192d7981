import * as tf from '@tensorflow/tfjs';

/**
 * The reference workload, written the same way in bench/reference_cnn.py: a small CNN
 * (batch 64, 32×32×3; conv 3×3 3→32, conv 3×3 32→64 stride 2, depthwise 3×3 on 64, conv 1×1
 * 64→128, global mean, dense → 10), ReLU, softmax cross-entropy, plain SGD. Pure tf ops so that
 * every backend (Node or browser) runs the very same graph.
 */
export const REFERENCE_CNN = { batch: 64, size: 32, classes: 10, lr: 0.01 } as const;

/**
 * Floating-point operations of one training step per image (a multiply-add counts 2): the forward
 * convolutions and dense layer, their filter gradients (as many as forward), and their input
 * gradients except the first layer's (its input is the data). Element-wise work is left out: it is
 * a few percent, and leaving it out keeps GFLOP/s comparable with how PyTorch is usually quoted.
 */
export function referenceFlopsPerImage(): number {
  const { size, classes } = REFERENCE_CNN;
  const half = size / 2;
  const macs = [
    size * size * 32 * 3 * 3 * 3, // conv 3×3, 3 → 32
    half * half * 64 * 3 * 3 * 32, // conv 3×3, 32 → 64, stride 2
    half * half * 64 * 3 * 3, // depthwise 3×3 on 64
    half * half * 128 * 64, // conv 1×1, 64 → 128
    128 * classes, // dense
  ];
  const forward = macs.reduce((a, b) => a + b, 0);
  return 2 * (forward + forward + (forward - macs[0]));
}

export interface ReferenceCnn {
  step(): Promise<number>;
  dispose(): void;
}

/** One-hot labels 0, 1, …, classes − 1, 0, 1, … for a batch: every class equally often. */
export function cyclicOneHot(batch: number, classes: number): tf.Tensor2D {
  return tf.tidy(() =>
    tf
      .oneHot(
        tf.tensor1d(
          Array.from({ length: batch }, (_, i) => i % classes),
          'int32',
        ),
        classes,
      )
      .toFloat(),
  ) as tf.Tensor2D;
}

export function buildReferenceCnn(batch: number = REFERENCE_CNN.batch): ReferenceCnn {
  const { size, classes, lr } = REFERENCE_CNN;
  const init = (shape: number[], fanIn: number, seed: number) => {
    const value = tf.randomNormal(shape, 0, Math.sqrt(2 / fanIn), 'float32', seed);
    const v = tf.variable(value); // a copy: the initial value is ours to free
    value.dispose();
    return v;
  };
  const w1 = init([3, 3, 3, 32], 27, 1);
  const w2 = init([3, 3, 32, 64], 288, 2);
  const w3 = init([3, 3, 64, 1], 9, 3);
  const w4 = init([1, 1, 64, 128], 64, 4);
  const w5 = init([128, classes], 128, 5);
  const zeros = tf.zeros([classes]);
  const b5 = tf.variable(zeros);
  zeros.dispose();
  const vars = [w1, w2, w3, w4, w5, b5];
  const x = tf.randomUniform([batch, size, size, 3], -1, 1, 'float32', 6) as tf.Tensor4D;
  const y = cyclicOneHot(batch, classes);
  const opt = tf.train.sgd(lr);
  const loss = () =>
    tf.tidy(() => {
      let h = tf.relu(tf.conv2d(x, w1 as tf.Tensor4D, 1, 'same'));
      h = tf.relu(tf.conv2d(h, w2 as tf.Tensor4D, 2, 'same'));
      h = tf.relu(tf.depthwiseConv2d(h, w3 as tf.Tensor4D, 1, 'same'));
      h = tf.relu(tf.conv2d(h, w4 as tf.Tensor4D, 1, 'same'));
      const pooled = tf.mean(h, [1, 2]) as tf.Tensor2D;
      const logits = tf.add(tf.matMul(pooled, w5 as tf.Tensor2D), b5);
      return tf.losses.softmaxCrossEntropy(y, logits) as tf.Scalar;
    });
  return {
    async step() {
      const cost = opt.minimize(loss, true, vars)!;
      const v = (await cost.data())[0];
      cost.dispose();
      return v;
    },
    dispose() {
      tf.dispose([...vars, x, y]);
      opt.dispose();
    },
  };
}
