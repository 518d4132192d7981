import { checkWeights, importWeights } from './weightFiles';
import * as tf from '@tensorflow/tfjs';
import { savedModelKey, teacherModelKey } from '../engine/models/keys';
import { checkTeacherWeights } from './teacherWeights';
import { modelArtifacts } from '../engine/models/artifacts';
import { SPLIT, type Dataset } from '../engine/types';
import { argmaxRows, classProbabilities, topK, type Prediction } from '../engine/models/predict';
import { indicesOf } from '../engine/data/split';
import { openLabDb } from '../storage/db';
import { getDataset } from '../storage/datasets';
import { BatchReader } from '../engine/data/batches';
import { fromStored } from './datasetLoader';
import { decodeToSquare } from './imageDecode';
import type { Disagreement, ExportedModel, ImportedTeacher, ModelOp, PhotoVersion, Typicality } from './protocol';
import { paintCue } from '../engine/data/shortcutEvents';

/**
 * Trained models in the browser's IndexedDB (tf.io, the "tensorflowjs" database), keyed by run:
 * indexeddb://fairdistill/<runId>/<model>. Loaded models are cached (a few) for the demo.
 */

export { savedModelKey as modelKey } from '../engine/models/keys';

const cache = new Map<string, Promise<tf.LayersModel>>();
const CACHE_SIZE = 4;

function load(key: string): Promise<tf.LayersModel> {
  let m = cache.get(key);
  if (!m) {
    m = tf.loadLayersModel(key).catch((e) => {
      cache.delete(key);
      throw new Error(
        `The saved model ${key} could not be loaded (${(e as Error).message}). It may have been deleted with the browser's site data.`,
      );
    });
    cache.set(key, m);
    while (cache.size > CACHE_SIZE) {
      const [oldest, p] = cache.entries().next().value!;
      cache.delete(oldest);
      void p.then(
        (x) => x.dispose(),
        () => undefined,
      );
    }
  }
  return m;
}

async function predict(op: Extract<ModelOp, { kind: 'predict' }>): Promise<PhotoVersion[]> {
  const pixels = await decodeToSquare(op.image, op.size, op.name ? `“${op.name}”` : 'The file');
  const versions: Omit<PhotoVersion, 'predictions'>[] = op.cue
    ? ([0, 1] as const).map((g) => {
        const painted = pixels.slice();
        paintCue(painted, op.size, g, op.cue!.cueStrength);
        return { name: `with ${op.cue!.groupNames[g]}’s cue`, group: g, pixels: painted };
      })
    : [{ name: 'as the models see it', group: null, pixels }];
  const out: PhotoVersion[] = [];
  for (const v of versions) {
    const predictions: Prediction[] = [];
    for (const { key, label } of op.models) {
      const probs = await classProbabilities(await load(key), v.pixels, op.size);
      predictions.push({ label, top: topK(probs, 3) });
    }
    out.push({ ...v, predictions });
  }
  return out;
}

/** The test split in batches of 64: each batch's dataset indices and their pixels, packed. */
async function* testBatches(data: Dataset): AsyncGenerator<{ idx: number[]; pixels: Uint8Array }> {
  const test = indicesOf(data.split, SPLIT.test);
  const reader = new BatchReader(data);
  for (let s = 0; s < test.length; s += 64) {
    const e = Math.min(test.length, s + 64);
    yield { idx: Array.from(test.subarray(s, e)), pixels: await reader.pixels(test, s, e) };
  }
}

/** The teacher's top-class probability on every test image, sorted; kept per teacher (it never changes). */
const testConfidences = new Map<string, Promise<Float32Array>>();

async function confidencesOnTest(teacherKey: string, datasetKey: string): Promise<Float32Array> {
  const key = `${teacherKey}\n${datasetKey}`;
  let c = testConfidences.get(key);
  if (!c) {
    c = (async () => {
      const stored = await getDataset(await openLabDb(), datasetKey);
      if (!stored)
        throw new Error(
          'The run’s dataset is no longer cached in this browser, so the photo cannot be compared with it.',
        );
      const data = fromStored(stored, await openLabDb());
      const teacher = await load(teacherKey);
      const classes = data.classNames.length;
      const out: number[] = [];
      for await (const { idx, pixels } of testBatches(data)) {
        const probs = await classProbabilities(teacher, pixels, data.size, idx.length);
        for (let j = 0; j < idx.length; j++) out.push(Math.max(...probs.subarray(j * classes, (j + 1) * classes)));
      }
      return Float32Array.from(out).sort();
    })();
    testConfidences.set(key, c);
    c.catch(() => testConfidences.delete(key));
  }
  return c;
}

/**
 * How far a photo is from the training images, as the teacher sees it: its confidence on the photo,
 * and the share of test images it is less sure of. A photo few test images fall below is unlike them.
 */
async function typicality(op: Extract<ModelOp, { kind: 'typicality' }>): Promise<Typicality> {
  const pixels = await decodeToSquare(op.image, op.size, op.name ? `“${op.name}”` : 'The file');
  const sorted = await confidencesOnTest(op.teacher, op.datasetKey);
  const probs = await classProbabilities(await load(op.teacher), pixels, op.size);
  const confidence = Math.max(...probs);
  let below = 0;
  while (below < sorted.length && sorted[below] < confidence) below++;
  return {
    confidence,
    percentile: sorted.length ? below / sorted.length : 0,
    testMedian: sorted.length ? sorted[Math.floor(sorted.length / 2)] : NaN,
    testImages: sorted.length,
  };
}

async function disagreements(op: Extract<ModelOp, { kind: 'disagreements' }>): Promise<Disagreement[]> {
  const stored = await getDataset(await openLabDb(), op.datasetKey);
  if (!stored)
    throw new Error('The run’s dataset is no longer cached in this browser; run the experiment again to rebuild it.');
  const data = fromStored(stored, await openLabDb());
  const [a, b] = await Promise.all([load(op.a), load(op.b)]);
  const px = data.size * data.size * 3;
  const classes = data.classNames.length;
  const found: Disagreement[] = [];
  for await (const { idx, pixels } of testBatches(data)) {
    if (found.length >= op.limit) break;
    const pa = argmaxRows(await classProbabilities(a, pixels, data.size, idx.length), classes);
    const pb = argmaxRows(await classProbabilities(b, pixels, data.size, idx.length), classes);
    idx.forEach((i, j) => {
      if (pa[j] !== pb[j] && found.length < op.limit) {
        found.push({
          index: i,
          pixels: pixels.slice(j * px, (j + 1) * px),
          label: data.labels[i],
          group: data.groups[i],
          a: pa[j],
          b: pb[j],
        });
      }
    });
  }
  return found;
}

async function exportModel(key: string): Promise<ExportedModel> {
  const a = await modelArtifacts(await load(key));
  const data = a.weightData;
  const weightData = Array.isArray(data) ? tf.io.concatenateArrayBuffers(data) : (data as ArrayBuffer);
  return {
    modelTopology: a.modelTopology,
    weightSpecs: a.weightSpecs ?? [],
    weightData,
    format: a.format,
    generatedBy: a.generatedBy,
    convertedBy: a.convertedBy,
  };
}

/** "Bring your own teacher": a tfjs LayersModel (model.json + weight files) saved for later runs. */
async function importTeacher(files: File[]): Promise<ImportedTeacher> {
  const json = files.find((f) => f.name.endsWith('.json'));
  if (!json) throw new Error('Choose the model.json of a tfjs LayersModel together with its weight files (.bin).');
  const weights = files.filter((f) => f !== json);
  await checkTeacherWeights(json, weights);
  let model: tf.LayersModel;
  try {
    model = await tf.loadLayersModel(tf.io.browserFiles([json, ...weights]));
  } catch (e) {
    throw new Error(`${json.name} could not be loaded as a tfjs LayersModel (${(e as Error).message}).`, {
      cause: e,
    });
  }
  try {
    const input = model.inputs[0].shape;
    const out = model.outputs[0].shape;
    if (input.length !== 4 || input[1] !== input[2] || input[3] !== 3)
      throw new Error(
        `${json.name} reads ${JSON.stringify(input.slice(1))} inputs; a teacher reads square RGB images (size × size × 3).`,
      );
    if (out.length !== 2) throw new Error(`${json.name}'s first output is not a [batch, classes] score matrix.`);
    const name = json.name.replace(/\.json$/i, '');
    const key = teacherModelKey(name);
    await model.save(key);
    return {
      key,
      name,
      inputSize: input[1] as number,
      classes: out[1] as number,
      params: model.countParams(),
      outputs: model.outputs.length,
    };
  } finally {
    model.dispose();
  }
}

export async function deleteModels(keys: string[]): Promise<number> {
  let removed = 0;
  for (const key of keys) {
    const cached = cache.get(key);
    cache.delete(key);
    void cached?.then(
      (m) => m.dispose(),
      () => undefined,
    );
    try {
      await tf.io.removeModel(key);
      removed++;
    } catch {
      // Already gone (site data cleared, or never saved): nothing to do.
    }
  }
  return removed;
}

export async function runModelOp(
  op: Exclude<ModelOp, { kind: 'importFolder' | 'gallery' | 'estimate' }>,
): Promise<unknown> {
  switch (op.kind) {
    case 'predict':
      return predict(op);
    case 'typicality':
      return typicality(op);
    case 'disagreements':
      return disagreements(op);
    case 'exportModel':
      return exportModel(op.key);
    case 'deleteModels':
      return deleteModels(op.keys);
    case 'importTeacher':
      return importTeacher(op.files);
    case 'importWeights':
      return importWeights(op.file, op.model);
    case 'checkWeights':
      return checkWeights(op.weights, op.image);
  }
}

/** Saves a trained model under the run; returns its key. */
export async function saveModel(model: tf.LayersModel, runId: string, label: string): Promise<string> {
  const key = savedModelKey(runId, label);
  await model.save(key);
  return key;
}
