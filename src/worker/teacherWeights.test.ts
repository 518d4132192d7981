import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { modelArtifacts } from '../engine/models/artifacts';
import { useTestBackend } from '../engine/testing/setup';
import { checkTeacherWeights } from './teacherWeights';

const file = (parts: BlobPart[], name: string) => Object.assign(new Blob(parts), { name });

let json: Blob & { name: string };
let weights: Blob & { name: string };

beforeAll(async () => {
  await useTestBackend();
  const model = tf.sequential({ layers: [tf.layers.dense({ units: 3, inputShape: [4] })] });
  const a = await modelArtifacts(model);
  model.dispose();
  const manifest = [{ paths: ['teacher.weights.bin'], weights: a.weightSpecs }];
  json = file([JSON.stringify({ modelTopology: a.modelTopology, weightsManifest: manifest })], 'teacher.json');
  weights = file([a.weightData as ArrayBuffer], 'teacher.weights.bin');
});

describe('a teacher import needs its weights', () => {
  it('accepts model.json with its weight file of the right size (4×3 + 3 floats = 60 bytes)', async () => {
    expect(weights.size).toBe(60);
    await expect(checkTeacherWeights(json, [weights])).resolves.toBeUndefined();
  });

  it('refuses model.json alone, naming the missing file', async () => {
    await expect(checkTeacherWeights(json, [])).rejects.toThrow(
      'The weights file teacher.weights.bin of teacher.json was not chosen: pick model.json together with its .bin file.',
    );
  });

  it('refuses weights of the wrong size, and a model.json without a weights manifest', async () => {
    await expect(checkTeacherWeights(json, [file([new Uint8Array(56)], 'teacher.weights.bin')])).rejects.toThrow(
      'The weights of teacher.json have 56 bytes; its tensors need 60.',
    );
    await expect(checkTeacherWeights(file(['{"modelTopology":{}}'], 'm.json'), [])).rejects.toThrow(/lists no weights/);
  });
});
