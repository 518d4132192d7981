import * as tf from '@tensorflow/tfjs';
import { BatchReader, disposeBatch, type Batch } from '../data/batches';
import { indicesOf } from '../data/split';
import { counterfactualTwins } from '../data/shortcutEvents';
import { accuracy, classificationMetrics, confusionMatrix } from '../metrics/classification';
import { latencyOf, modelSize } from '../metrics/efficiency';
import { fairnessMetrics, groupShares } from '../metrics/fairness';
import { DEFAULT_RESAMPLES, type TestLabels } from '../metrics/pairedBootstrap';
import { forward } from '../models/efficientnet';
import { subSeed } from '../random';
import { SPLIT, type Dataset, type ModelResult, type ValidationFigures } from '../types';

/**
 * How a sweep measures its models: the dataset's splits, predictions in batches, and the evaluation
 * every model gets on the held-out test split. Model selection reads the validation split only.
 */
export class Evaluation {
  readonly classes: number;
  readonly train: Int32Array;
  readonly val: Int32Array;
  readonly test: Int32Array;
  /** Training-split group share of each class, for bias amplification (the same for every model). */
  readonly trainShares: number[][];
  /** Every batch of this dataset goes through one reader, so chunks read once serve every pass. */
  readonly reader: BatchReader;

  constructor(
    readonly data: Dataset,
    private readonly batchSize: number,
    private readonly seed: number,
    /** The models' input size (config.inputSize); the stored size when absent. */
    inputSize?: number,
  ) {
    this.classes = data.classNames.length;
    this.train = indicesOf(data.split, SPLIT.train);
    this.val = indicesOf(data.split, SPLIT.val);
    this.test = indicesOf(data.split, SPLIT.test);
    if (this.train.length < 2 || this.test.length < 1)
      throw new Error('The dataset needs at least two training and one test example.');
    this.trainShares = groupShares(data.labels, data.groups, this.classes, this.train);
    this.reader = new BatchReader(data, inputSize);
  }

  /** The size of the images a model of this evaluation takes. */
  get inputSize(): number {
    return this.reader.inputSize;
  }

  private batchOf(data: Dataset, indices: ArrayLike<number>, s: number, e: number): Promise<Batch> {
    return (data === this.data ? this.reader : new BatchReader(data, this.inputSize)).batch(
      indices,
      s,
      e,
      this.classes,
    );
  }

  async predict(model: tf.LayersModel, indices: Int32Array, data: Dataset = this.data): Promise<Int32Array> {
    const preds = new Int32Array(indices.length);
    const bs = Math.max(this.batchSize, 64);
    for (let s = 0; s < indices.length; s += bs) {
      const e = Math.min(indices.length, s + bs);
      const batch = await this.batchOf(data, indices, s, e);
      this.reader.prefetch(indices, e, e + bs);
      const arg = tf.tidy(() => tf.argMax(forward(model, batch.x, false)[0], 1));
      preds.set((await arg.data()) as Int32Array, s);
      arg.dispose();
      disposeBatch(batch);
    }
    return preds;
  }

  /** Top-1 on the validation split (the training split when there is none): what model selection reads. */
  async valAccuracy(model: tf.LayersModel): Promise<number> {
    const idx = this.val.length ? this.val : this.train;
    const preds = await this.predict(model, idx);
    return accuracy(
      Array.from(idx, (i) => this.data.labels[i]),
      preds,
    );
  }

  /** Mean teacher embedding per class over the training split, [K, D]. */
  async teacherClassMeans(teacher: tf.LayersModel): Promise<tf.Tensor2D> {
    const dim = teacher.outputs[1].shape[1] as number;
    const sums = new Float64Array(this.classes * dim);
    const counts = new Float64Array(this.classes);
    for (let s = 0; s < this.train.length; s += 128) {
      const e = Math.min(this.train.length, s + 128);
      const batch = await this.reader.batch(this.train, s, e, this.classes);
      const emb = tf.tidy(() => forward(teacher, batch.x, false)[1]);
      const v = await emb.data();
      emb.dispose();
      disposeBatch(batch);
      for (let j = 0; j < e - s; j++) {
        const y = this.data.labels[this.train[s + j]];
        counts[y]++;
        for (let d = 0; d < dim; d++) sums[y * dim + d] += v[j * dim + d];
      }
    }
    const means = new Float32Array(this.classes * dim);
    for (let k = 0; k < this.classes; k++)
      for (let d = 0; d < dim; d++) means[k * dim + d] = counts[k] ? sums[k * dim + d] / counts[k] : 0;
    return tf.tensor2d(means, [this.classes, dim]);
  }

  /** The test split's labels and groups, in the order of every model's testPredictions. */
  testLabels(): TestLabels {
    return {
      labels: Array.from(this.test, (i) => this.data.labels[i]),
      groups: Array.from(this.test, (i) => this.data.groups[i]),
      classes: this.classes,
    };
  }

  /** The seed of the sweep's bootstrap: the same resamples for every model of the sweep. */
  get bootstrapSeed(): number {
    return subSeed(this.seed, 'bootstrap');
  }

  /** Accuracy and bias on the validation split (the training split when there is none), for choices. */
  private async validationFigures(model: tf.LayersModel): Promise<ValidationFigures> {
    const idx = this.val.length ? this.val : this.train;
    const preds = await this.predict(model, idx);
    const labels = Array.from(idx, (i) => this.data.labels[i]);
    const groups = Array.from(idx, (i) => this.data.groups[i]);
    const f = fairnessMetrics(labels, preds, groups, this.classes);
    return {
      accuracy: accuracy(labels, preds),
      meanAbsDisparity: f.meanAbsDisparity,
      meanAbsDisparityFloor: f.meanAbsDisparityFloor,
      excessMeanAbsDisparity: f.excessMeanAbsDisparity,
    };
  }

  private twins: Dataset | null | undefined;

  /**
   * The test images again with only the group changed, as a dataset of their own (index j = test[j]),
   * for datasets that can draw them (the built-in shortcut design); null otherwise. Drawn once.
   */
  private twinSet(): Dataset | null {
    if (this.twins !== undefined) return this.twins;
    const config = this.data.config;
    if (config.kind !== 'synthetic' || config.design !== 'shortcut') return (this.twins = null);
    const { labels, groups } = this.testLabels();
    const n = this.test.length;
    this.twins = {
      ...this.data,
      key: `${this.data.key}:twins`,
      count: n,
      images: counterfactualTwins(config, this.test, this.data.groups),
      labels: Uint8Array.from(labels),
      groups: Int8Array.from(groups, (g) => (g === 0 ? 1 : g === 1 ? 0 : -1)),
      split: new Uint8Array(n).fill(SPLIT.test),
    };
    return this.twins;
  }

  async evaluate(model: tf.LayersModel, base: Omit<ModelResult, 'test' | 'fairness' | 'size'>): Promise<ModelResult> {
    const preds = await this.predict(model, this.test);
    const twins = this.twinSet();
    const twinPreds = twins
      ? await this.predict(
          model,
          Int32Array.from({ length: twins.count }, (_, j) => j),
          twins,
        )
      : null;
    const { labels, groups } = this.testLabels();
    const test = classificationMetrics(confusionMatrix(labels, preds, this.classes));
    const fairness = fairnessMetrics(labels, preds, groups, this.classes, {
      trainShares: this.trainShares,
      resamples: DEFAULT_RESAMPLES,
      seed: this.bootstrapSeed,
      ...(twinPreds ? { twinPredictions: twinPreds } : {}),
    });
    const validation = await this.validationFigures(model);
    const latency = await latencyOf(model, this.inputSize);
    const size = { ...modelSize(model), latencyMs: latency.medianMs, latencySpreadMs: latency.spreadMs };
    return {
      ...base,
      test,
      fairness,
      validation,
      size,
      testPredictions: Array.from(preds),
      ...(twinPreds ? { twinPredictions: Array.from(twinPreds) } : {}),
    };
  }
}
