import * as tf from '@tensorflow/tfjs';
import { createRng, subSeed } from '../random';

/**
 * The two layers torchvision's EfficientNet has that tfjs-layers lacks in the form needed:
 * - ImageNet normalisation of the lab's pixels (in [−1, 1]) as torchvision's transforms normalise
 *   theirs: (p/255 − mean) / std per channel, with mean and std of ImageNet.
 * - Dropout and stochastic depth (torchvision.ops.StochasticDepth, mode "row": a whole example's branch
 *   kept with probability 1 − p and scaled by 1/(1 − p)), in training only, with masks drawn from the
 *   lab's seeded stream: the same on every backend (tfjs's seeded dropout repeats one mask).
 */

export const IMAGENET_MEAN = [0.485, 0.456, 0.406];
export const IMAGENET_STD = [0.229, 0.224, 0.225];

type Kwargs = Record<string, unknown>;

export class ImagenetInput extends tf.layers.Layer {
  static readonly className = 'LabImagenetInput';
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    return tf.tidy(() => {
      // v ∈ [−1, 1] is p/127.5 − 1, so p/255 = (v + 1)/2.
      const scale = tf.tensor1d(IMAGENET_STD.map((s) => 0.5 / s));
      const offset = tf.tensor1d(IMAGENET_MEAN.map((m, c) => (0.5 - m) / IMAGENET_STD[c]));
      return x.mul(scale).add(offset);
    });
  }
}

interface SeededDropoutArgs {
  rate: number;
  /** 'row': one draw per example (stochastic depth); 'element': one per value (dropout). */
  mode: 'row' | 'element';
  seed: number;
  name?: string;
}

export class SeededDropout extends tf.layers.Layer {
  static readonly className = 'LabSeededDropout';
  readonly rate: number;
  readonly mode: 'row' | 'element';
  readonly seed: number;
  /** Calls in training so far: each draws its own mask (the stream's position). */
  private calls = 0;
  constructor(args: SeededDropoutArgs) {
    super({ name: args.name });
    this.rate = args.rate;
    this.mode = args.mode;
    this.seed = args.seed;
  }
  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    if (!kwargs.training || this.rate <= 0) return x.clone();
    const shape = this.mode === 'row' ? [x.shape[0]!, ...x.shape.slice(1).map(() => 1)] : x.shape;
    const n = shape.reduce((a, b) => a * b, 1);
    const rng = createRng(subSeed(this.seed, `${this.name}:${this.calls++}`));
    const keep = 1 - this.rate;
    const m = new Float32Array(n);
    for (let i = 0; i < n; i++) m[i] = rng() < keep ? 1 / keep : 0;
    return tf.tidy(() => x.mul(tf.tensor(m, shape)));
  }
  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), rate: this.rate, mode: this.mode, seed: this.seed };
  }
}

for (const cls of [ImagenetInput, SeededDropout])
  tf.serialization.registerClass(
    cls as unknown as tf.serialization.SerializableConstructor<tf.serialization.Serializable>,
  );
