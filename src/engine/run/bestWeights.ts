import * as tf from '@tensorflow/tfjs';
import type { RunSnapshot } from '../types';
import { saveTensors, tensorsOf } from './runSnapshot';

/** Keeps a copy of a model's best weights by validation accuracy, and puts them back at the end of training. */
export class BestWeights {
  private best = -1;
  private weights: tf.Tensor[] | null = null;

  constructor(private readonly model: tf.LayersModel) {}

  /** Offers the weights as they are now, with their validation accuracy; kept when better than any before. */
  offer(accuracy: number): void {
    if (accuracy <= this.best) return;
    this.best = accuracy;
    if (this.weights) tf.dispose(this.weights);
    this.weights = this.model.getWeights().map((w) => tf.clone(w));
  }

  async save(): Promise<RunSnapshot['best']> {
    if (!this.weights) return null;
    const named = this.weights.map((w, i) => ({ name: this.model.weights[i].name, tensor: w }));
    return { accuracy: this.best, weights: await saveTensors(named) };
  }

  load(saved: RunSnapshot['best']): void {
    if (!saved) return;
    this.best = saved.accuracy;
    this.weights = tensorsOf(saved.weights);
  }

  /** Puts the best weights into the model (when any were kept). */
  restore(): void {
    if (!this.weights) return;
    this.model.setWeights(this.weights);
    this.dispose();
  }

  dispose(): void {
    if (this.weights) tf.dispose(this.weights);
    this.weights = null;
  }
}
