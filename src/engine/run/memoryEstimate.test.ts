import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { presetConfig } from '../options';
import { useTestBackend } from '../testing/setup';
import { batchThatFits, estimateStepMemory, footprint, memoryLimit, memoryProblem, stepMemory } from './memoryEstimate';

beforeAll(() => useTestBackend());

describe('the memory a training step needs, before a run', () => {
  it('counts layer outputs and weights as worked by hand', () => {
    const input = tf.input({ shape: [4, 4, 3] });
    const conv = tf.layers.conv2d({ filters: 2, kernelSize: 3, padding: 'same' }).apply(input) as tf.SymbolicTensor;
    const flat = tf.layers.flatten().apply(conv) as tf.SymbolicTensor;
    const out = tf.layers.dense({ units: 3 }).apply(flat) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: out });
    // Outputs: input 48, conv 32, flatten 32, dense 3. Weights: 3·3·3·2 + 2, 32·3 + 3.
    const f = footprint(model);
    expect(f).toEqual({ activations: 115, largest: 48, weights: 155 });
    // Training: (115 + 2 · 48) · 8 + 4 · 155 floats; the student's step adds the teacher's weights.
    const m = stepMemory(f, f, 8, true);
    expect(m).toMatchObject({
      bytes: 4 * ((115 + 96) * 8 + 4 * 155 + 155),
      phase: 'student',
      largestBuffer: 4 * 8 * 48,
    });
    expect(stepMemory(f, f, 8, false).bytes).toBe(m.bytes);
    model.dispose();
  });

  it('refuses B3 at 300 px, batch 64, on wasm with the batch that fits; B0 at 224 px, batch 16, fits', () => {
    const wasm = memoryLimit({ name: 'wasm' });
    const study = {
      ...presetConfig('tiny'),
      teacherModel: 'efficientnet-b3',
      studentModel: 'efficientnet-b0',
      batchSize: 64,
    };
    const big = estimateStepMemory(study, 300, 16);
    const fits = batchThatFits(big, wasm, true);
    expect(fits).toBeGreaterThan(1);
    expect(fits).toBeLessThan(64);
    expect(memoryProblem(big, wasm, true)).toBe(
      `A training step at batch size 64 needs about ${(big.bytes / 2 ** 30).toFixed(1)} GB (the ${big.phase}'s step), and the wasm backend holds at most 4 GB: batch size ${fits} fits.`,
    );
    expect(stepMemory(big.teacher, big.student, fits, true).bytes).toBeLessThanOrEqual(wasm.total);
    expect(stepMemory(big.teacher, big.student, fits + 1, true).bytes).toBeGreaterThan(wasm.total);
    const b0 = estimateStepMemory({ ...study, teacherModel: 'efficientnet-b0', batchSize: 16 }, 224, 16);
    expect(memoryProblem(b0, wasm, true)).toBeNull();
    // WebGPU: the largest single buffer against the adapter's binding limit (128 MiB by default).
    const gpu = memoryLimit({ name: 'webgpu' });
    expect(gpu.buffer).toBe(128 * 2 ** 20);
    expect(memoryProblem(b0, gpu, true)).toBeNull();
    const b0wide = stepMemory(b0.teacher, b0.student, 64, true);
    expect(memoryProblem(b0wide, gpu, true)).toMatch(
      /needs a single buffer of about \d+ MB, and this GPU binds at most 128 MB in one buffer: batch size \d+ fits\./,
    );
  });
});
