import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateSynthetic, SYNTHETIC_PRESETS } from '../data/synthetic';
import { EXPERIMENT_PRESETS } from '../presets';
import { useTestBackend } from '../testing/setup';
import { estimateDuration } from './estimate';

beforeAll(() => useTestBackend());

describe('duration estimate', () => {
  it('scales timed steps by the sweep’s steps and models, and disposes what it made', async () => {
    const config = {
      ...EXPERIMENT_PRESETS.tiny,
      dataset: { ...SYNTHETIC_PRESETS.tiny, examples: 160 },
      lambdas: [0, 1],
    };
    const data = generateSynthetic(config.dataset);
    const before = tf.memory().numTensors;
    const e = await estimateDuration(config, data);
    expect(tf.memory().numTensors).toBe(before);
    expect(e.models).toBe(1 + 1 + 2); // teacher, labels-only baseline, CKD at two λ
    expect(e.stepsPerEpoch).toBe(Math.ceil(96 / 32)); // 60% of 160 train, batches of 32
    expect(e.teacherStepMs).toBeGreaterThan(0);
    expect(e.studentStepMs).toBeGreaterThan(0);
    // The estimate is at least the teachers' and students' timed steps added up.
    const floor = (e.stepsPerEpoch * (8 * e.teacherStepMs + 3 * 5 * e.studentStepMs)) / 1000;
    expect(e.seconds).toBeGreaterThan(floor);
  });
});
