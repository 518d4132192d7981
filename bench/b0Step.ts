import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { crossEntropy } from '../src/engine/distill/common';
import { adam } from '../src/engine/kernels/fusedAdam';
import { buildModel, forward, modelPreset, trainableVariables } from '../src/engine/models/efficientnet';

/**
 * torchvision's EfficientNet-B0 (the study's student) training at 224 px, batch 16, in the lab (tfjs on
 * this backend with the lab's kernels) and in PyTorch on the CPU at the same thread count, alternately
 * (paired rounds, so a neighbour on the machine slows both alike), as a ratio; and what one epoch of
 * WIDER's 10,324 training images costs at the lab's rate.
 */
export interface B0Pair {
  threads: number;
  batch: number;
  size: number;
  labMs: number[];
  torchMs: number[];
  /** PyTorch ms / lab ms per round: above 1, the lab is faster. */
  ratios: number[];
  widerEpochMinutes: number;
}

const WIDER_TRAIN = 10_324;

export async function b0Pair(python: string, threads: number, rounds = 3, steps = 2): Promise<B0Pair> {
  const model = buildModel(modelPreset('efficientnet-b0'), { inputSize: 224, classes: 16, seed: 0, name: 'bench_b0' });
  const optimizer = adam(1e-3);
  const vars = trainableVariables([model]);
  const x = tf.randomNormal([16, 224, 224, 3]) as tf.Tensor4D;
  const y = tf.oneHot(
    tf.tensor1d(
      Array.from({ length: 16 }, (_v, i) => i % 16),
      'int32',
    ),
    16,
  ) as tf.Tensor2D;
  const step = async () => {
    const loss = optimizer.minimize(() => crossEntropy(forward(model, x, true)[0], y), true, vars)!;
    await loss.data();
    loss.dispose();
  };
  const out: B0Pair = { threads, batch: 16, size: 224, labMs: [], torchMs: [], ratios: [], widerEpochMinutes: 0 };
  try {
    await step(); // kernels compile on first use
    for (let r = 0; r < rounds; r++) {
      const torch = JSON.parse(
        execFileSync(python, [join(import.meta.dirname, 'torch_b0_step.py'), String(threads), String(steps)], {
          encoding: 'utf8',
        })
          .trim()
          .split('\n')
          .pop()!,
      ) as { msPerStep: number };
      const t0 = performance.now();
      for (let s = 0; s < steps; s++) await step();
      const lab = (performance.now() - t0) / steps;
      out.labMs.push(lab);
      out.torchMs.push(torch.msPerStep);
      out.ratios.push(torch.msPerStep / lab);
    }
  } finally {
    tf.dispose([x, y]);
    optimizer.dispose();
    model.dispose();
  }
  const median = [...out.labMs].sort((a, b) => a - b)[out.labMs.length >> 1];
  out.widerEpochMinutes = ((WIDER_TRAIN / 16) * median) / 60_000;
  return out;
}
