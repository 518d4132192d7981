import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateSynthetic, SYNTHETIC_PRESETS } from '../data/synthetic';
import { buildModel, modelPreset, trainableVariables } from '../models/efficientnet';
import { EXPERIMENT_PRESETS } from '../presets';
import { useTestBackend } from '../testing/setup';
import type { LabEvent } from '../types';
import { EpochLoop, readbackEvery } from './epochLoop';
import { NumericalError } from './errors';
import { Evaluation } from './evaluation';
import { ProgressMeter } from './progressMeter';

beforeAll(() => useTestBackend());

const config = { ...EXPERIMENT_PRESETS.tiny, dataset: { ...SYNTHETIC_PRESETS.tiny, examples: 160 } };

/** A loop over the tiny data that reads the loss terms every `every` steps, and a trainee whose loss at step k is k (NaN at `nanAt`). */
function setUp(every: number, nanAt?: number) {
  const data = generateSynthetic(config.dataset);
  const evaluation = new Evaluation(data, config.batchSize, config.seed);
  const events: LabEvent[] = [];
  const loop = new EpochLoop(config, evaluation, { emit: (e) => events.push(e) }, new ProgressMeter(100, 4, 1), every);
  const model = buildModel(modelPreset('tiny-student'), { inputSize: data.size, classes: 4, seed: 1, name: 's' });
  let calls = 0;
  const trainee = {
    label: 'Probe',
    phase: 'student' as const,
    epochs: 2,
    model,
    optimizer: tf.train.sgd(0),
    vars: trainableVariables([model]),
    step: () => {
      calls++;
      return { CE: tf.keep(tf.scalar(calls === nanAt ? NaN : calls)), KD: tf.keep(tf.scalar(-calls)) };
    },
  };
  const dispose = () => {
    model.dispose();
    trainee.optimizer.dispose();
  };
  return { loop, trainee, events, dispose, steps: () => calls };
}

describe('epoch loop readback', () => {
  it('a GPU backend reads every 16 steps, cpu and wasm every step', () => {
    expect([readbackEvery('webgpu'), readbackEvery('webgl'), readbackEvery('wasm'), readbackEvery('cpu')]).toEqual([
      16, 16, 1, 1,
    ]);
  });

  it('reads the terms of two steps at once, in order, and at the end of every epoch; nothing leaks', async () => {
    const before = tf.memory().numTensors;
    const { loop, trainee, events, dispose } = setUp(2);
    const n = loop.ranges.length;
    expect(n).toBe(3); // the training split of 160 images in batches of 32
    const trained = await loop.train(trainee);
    dispose();
    expect(trained.curve.map((p) => [p.step, p.epoch, p.terms.CE, p.terms.KD])).toEqual(
      Array.from({ length: 2 * n }, (_, i) => [i + 1, i < n ? 1 : 2, i + 1, -(i + 1)]),
    );
    // Losses arrive in reads of two steps, not waited for, and the last step of an epoch is read alone
    // before validation: step 1 (p), step 2 (its read starts; p), while the loop yields the read lands
    // (ll), step 3 (read l, waited for as the epoch's last; p) — per epoch.
    const order = events.filter((e) => e.type === 'loss' || e.type === 'progress').map((e) => e.type[0]);
    expect(order.join('')).toBe('pplllp'.repeat(2));
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a NaN read back with other steps is named with its own step and the steps read with it', async () => {
    const before = tf.memory().numTensors;
    const { loop, trainee, dispose, steps } = setUp(3, 2);
    const err = await loop.train(trainee).catch((e: unknown) => e);
    dispose();
    expect(err).toBeInstanceOf(NumericalError);
    expect((err as Error).message).toMatch(/^Probe: the CE loss became NaN at step 2 \(read back with steps 1–3\)\./);
    expect(steps()).toBe(3); // stopped at the read, not at the end of the epoch
    expect(tf.memory().numTensors).toBe(before);
  });

  it('the loop does not wait for a read: the step after it runs before the read’s NaN stops the run', async () => {
    const before = tf.memory().numTensors;
    const { loop, trainee, dispose, steps } = setUp(2, 2);
    const err = await loop.train(trainee).catch((e: unknown) => e);
    dispose();
    expect((err as Error).message).toMatch(/^Probe: the CE loss became NaN at step 2 \(read back with steps 1–2\)\./);
    expect(steps()).toBe(3); // the read of steps 1–2 was in flight while step 3 ran
    expect(tf.memory().numTensors).toBe(before);
  });
});
