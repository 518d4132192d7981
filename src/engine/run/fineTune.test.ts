import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { adam } from '../kernels/fusedAdam';
import { buildModel, modelPreset, trainableVariables } from '../models/efficientnet';
import { presetConfig } from '../options';
import { useTestBackend } from '../testing/setup';
import { learningRateAt, setLearningRate, trainedInEpoch } from './fineTune';

beforeAll(() => useTestBackend());

describe('fine-tuning from a weight file', () => {
  const config = { ...presetConfig('tiny'), learningRate: 0.01 };

  it('a cosine schedule goes from the rate to 0 over the epochs, as worked by hand; constant stays', () => {
    const cosine = { ...config, lrSchedule: 'cosine' as const };
    // 0.5 · 0.01 · (1 + cos(π (e − 1) / 4)) for e = 1…4
    const want = [0.01, 0.5 * 0.01 * (1 + Math.SQRT1_2), 0.005, 0.5 * 0.01 * (1 - Math.SQRT1_2)];
    want.forEach((w, i) => expect(learningRateAt(cosine, i + 1, 4)).toBeCloseTo(w, 12));
    expect(learningRateAt(config, 3, 4)).toBe(0.01);
  });

  it('the rate set on SGD and on the lab’s Adam is the one their next step uses', () => {
    for (const make of [() => tf.train.sgd(0.5), () => adam(0.5)]) {
      const v = tf.variable(tf.tensor1d([1, -2]));
      const opt = make();
      setLearningRate(opt, 0.001);
      opt.minimize(() => tf.sum(v) as tf.Scalar, false, [v]);
      // SGD moves by lr · 1; Adam's first step by lr · sign(g) (m̂/√v̂ = 1).
      const moved = Array.from(v.dataSync()).map((x, i) => [1, -2][i] - x);
      moved.forEach((m) => expect(m).toBeCloseTo(0.001, 6));
      opt.dispose();
      v.dispose();
    }
  });

  it('while the backbone is frozen only the new head (and a method’s own variables) are trained', () => {
    const model = buildModel(modelPreset('efficientnet-b0'), { inputSize: 32, classes: 4, seed: 1, name: 'student' });
    const all = trainableVariables([model]);
    const extra = [tf.variable(tf.scalar(1), true, 'ctkd_temperature')];
    const frozen = { ...config, freezeEpochs: 2, pretrained: { student: { name: 'b0.pth', bytes: 1, sha256: 'x' } } };
    const epoch1 = trainedInEpoch(frozen, 'student', model, all, extra, 1);
    expect(epoch1.map((v) => v.shape)).toEqual([[1280, 4], [4], []]);
    expect(epoch1.slice(0, 2).every((v) => v.name.startsWith('student_classifier.1/'))).toBe(true);
    expect(trainedInEpoch(frozen, 'student', model, all, extra, 3)).toBe(all);
    // Without a weight file nothing is frozen.
    expect(trainedInEpoch({ ...frozen, pretrained: undefined }, 'student', model, all, extra, 1)).toBe(all);
    model.dispose();
    extra[0].dispose();
  });
});
