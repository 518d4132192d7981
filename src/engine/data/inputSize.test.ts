import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { centerCrop, cropFor, cropInto } from './augment';
import { BatchReader, disposeBatch } from './batches';
import { memoryChunks } from './pixelChunks';
import { generateSynthetic, SYNTHETIC_PRESETS } from './synthetic';
import { classProbabilities } from '../models/predict';
import { buildModel, modelPreset } from '../models/efficientnet';
import { EXPERIMENT_PRESETS } from '../presets';
import { runExperiment } from '../run/experiment';
import { useTestBackend } from '../testing/setup';
import { SPLIT, type Dataset, type InMemoryDataset } from '../types';

/**
 * A stored resolution apart from the models' input size (config.inputSize): evaluation and un-augmented
 * training read the center square pixel for pixel (torchvision's Resize + CenterCrop), augmented
 * training resizes each crop of the whole stored image to the input size — checked by hand; a run at an
 * input size builds its models for it, in memory and in chunks alike; the built-in data and a size above
 * the stored one are refused.
 */

beforeAll(() => useTestBackend());

const S = 8;
const n = 6;
const images = Uint8Array.from({ length: n * S * S * 3 }, (_, i) => (i * 37 + 11) % 256);
const photos = (images: Dataset['images']): Dataset => ({
  key: 'p',
  name: 'p',
  config: { kind: 'imported', key: 'p', name: 'p', size: S, count: n, source: 'csv' },
  size: S,
  count: n,
  images,
  labels: Uint8Array.from({ length: n }, (_, i) => i % 2),
  groups: Int8Array.from({ length: n }, (_, i) => (i >> 1) % 2),
  split: new Uint8Array(n).fill(SPLIT.train),
  classNames: ['a', 'b'],
  groupNames: ['m', 'f'],
});

describe('input size below the stored size', () => {
  it('the center view is the middle square, pixel for pixel, by hand', async () => {
    expect(centerCrop(8, 6)).toEqual({ x0: 1, y0: 1, w: 6, h: 6, flip: false });
    expect(centerCrop(8, 5)).toEqual({ x0: 1, y0: 1, w: 5, h: 5, flip: false });
    for (const data of [
      photos(images),
      photos(memoryChunks([images.slice(0, 4 * S * S * 3), images.slice(4 * S * S * 3)], S * S * 3)),
    ]) {
      const reader = new BatchReader(data, 6);
      const b = await reader.batch([4, 1], 0, 2, 2);
      expect(b.x.shape).toEqual([2, 6, 6, 3]);
      const x = await b.x.data();
      disposeBatch(b);
      // Image 4, row 2 of the view = stored row 3, column 0 of the view = stored column 1, channel 2.
      const stored = (i: number, y: number, xx: number, c: number) =>
        images[i * S * S * 3 + (y * S + xx) * 3 + c] / 127.5 - 1;
      expect(x[(2 * 6 + 0) * 3 + 2]).toBeCloseTo(stored(4, 3, 1, 2), 6);
      expect(x[6 * 6 * 3 + (5 * 6 + 5) * 3]).toBeCloseTo(stored(1, 6, 6, 0), 6);
    }
  });

  it('a training crop is drawn on the whole stored image and resized to the input size', async () => {
    const reader = new BatchReader(photos(images), 4);
    const b = await reader.batch([3], 0, 1, 2, { seed: 5, epoch: 2 });
    expect(b.x.shape).toEqual([1, 4, 4, 3]);
    const x = Array.from(await b.x.data());
    disposeBatch(b);
    const c = cropFor(5, 2, 3, S); // drawn on the 8-px image, as without an input size
    const own = new Float32Array(4 * 4 * 3);
    cropInto(images.subarray(3 * S * S * 3, 4 * S * S * 3), S, c, own, 0, 4);
    expect(x).toEqual(Array.from(own));
    // By hand for one crop: x 2–5 of row 2–5 (4 × 4) to 2 × 2 samples source 2·(o + 0.5) − 0.5 = 0.5, 2.5.
    const two = new Float32Array(2 * 2 * 3);
    cropInto(images.subarray(0, S * S * 3), S, { x0: 2, y0: 2, w: 4, h: 4, flip: false }, two, 0, 2);
    const at = (y: number, xx: number) => images[(y * S + xx) * 3];
    const expected = (at(2, 2) + at(2, 3) + at(3, 2) + at(3, 3)) / 4 / 127.5 - 1;
    expect(two[0]).toBeCloseTo(expected, 5);
  });

  it('a model of input size 6 reads stored 8-px images through their center', async () => {
    const before = tf.memory().numTensors;
    const model = buildModel(modelPreset('tiny-student'), { inputSize: 6, classes: 2, seed: 1, name: 'm' });
    const viaCenter = await classProbabilities(model, images.subarray(0, 2 * S * S * 3), S, 2);
    const b = await new BatchReader(photos(images), 6).batch([0, 1], 0, 2, 2);
    const direct = tf.tidy(() => {
      const out = model.predict(b.x);
      return tf.softmax((Array.isArray(out) ? out[0] : out) as tf.Tensor2D);
    });
    expect(Array.from(viaCenter)).toEqual(Array.from(await direct.data()));
    tf.dispose([direct]);
    disposeBatch(b);
    await expect(classProbabilities(model, images.subarray(0, 4 * 4 * 3), 4)).rejects.toThrow(
      'The model expects 6×6×3 images; this image is 4×4×3.',
    );
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a run builds its models for the input size; the built-in data and a larger size are refused', async () => {
    const data = photos(images);
    const split = Uint8Array.from({ length: n }, (_, i) => (i < 4 ? SPLIT.train : SPLIT.test));
    const config = {
      ...EXPERIMENT_PRESETS.tiny,
      teacherEpochs: 1,
      studentEpochs: 1,
      batchSize: 2,
      lambdas: [0],
      baseline: false,
      inputSize: 6,
    };
    const shapes: (number | null)[][] = [];
    const r = await runExperiment(
      config,
      { ...data, split },
      { name: 'cpu', fallbacks: [] },
      {
        emit: () => {},
        onModel: (_role, _label, m) => void shapes.push(m.inputs[0].shape),
      },
    );
    expect(shapes.map((s) => s.slice(1))).toEqual([
      [6, 6, 3],
      [6, 6, 3],
    ]);
    expect(r.teacher.test.accuracy).toBeGreaterThanOrEqual(0);
    const synthetic = generateSynthetic({ ...SYNTHETIC_PRESETS.tiny, examples: 40 });
    await expect(
      runExperiment({ ...config, inputSize: 12 }, synthetic, { name: 'cpu', fallbacks: [] }, { emit: () => {} }),
    ).rejects.toThrow(/An input size \(12\) below the stored size is for photos/);
    await expect(
      runExperiment({ ...config, inputSize: 9 }, data, { name: 'cpu', fallbacks: [] }, { emit: () => {} }),
    ).rejects.toThrow("The input size 9 is above the stored images' 8 px");
    expect(() => new BatchReader(data as InMemoryDataset, 9)).toThrow(
      'must be a whole number from 1 to the stored images',
    );
  });
});
