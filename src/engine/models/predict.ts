import * as tf from '@tensorflow/tfjs';
import { centerCrop, cropInto } from '../data/augment';
import { normalizePixels } from '../data/batches';

/** Top-k classes of one image (HWC uint8 at the model's input size), normalized as in training. */
export interface Prediction {
  label: string;
  top: { classIndex: number; probability: number }[];
}

export function topK(probs: ArrayLike<number>, k: number): { classIndex: number; probability: number }[] {
  return Array.from(probs, (p, i) => ({ classIndex: i, probability: p }))
    .sort((a, b) => b.probability - a.probability || a.classIndex - b.classIndex)
    .slice(0, k);
}

/** Softmax probabilities of the model's first output for a batch of HWC uint8 images. */
export async function classProbabilities(
  model: tf.LayersModel,
  pixels: Uint8Array,
  size: number,
  count = 1,
): Promise<Float32Array> {
  const expected = model.inputs[0].shape;
  const input = expected[1] ?? size;
  // A model trained at an input size below the stored size (config.inputSize) sees the center square,
  // as evaluation showed it; any other mismatch is a model of another dataset.
  if (expected[1] !== expected[2] || input > size || expected[3] !== 3) {
    throw new Error(
      `The model expects ${expected[1]}×${expected[2]}×${expected[3]} images; this image is ${size}×${size}×3.`,
    );
  }
  const inPx = input * input * 3;
  const x = new Float32Array(count * inPx);
  if (input === size) normalizePixels(pixels, x);
  else
    for (let j = 0; j < count; j++)
      cropInto(
        pixels.subarray(j * size * size * 3, (j + 1) * size * size * 3),
        size,
        centerCrop(size, input),
        x,
        j * inPx,
        input,
      );
  const probs = tf.tidy(() => {
    const out = model.predict(tf.tensor4d(x, [count, input, input, 3]));
    return tf.softmax((Array.isArray(out) ? out[0] : out) as tf.Tensor2D);
  });
  const values = (await probs.data()) as Float32Array;
  probs.dispose();
  return values;
}

/** Argmax per image of a batch of probabilities [count, classes]. */
export function argmaxRows(probs: Float32Array, classes: number): number[] {
  const out: number[] = [];
  for (let r = 0; r < probs.length / classes; r++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (probs[r * classes + c] > probs[r * classes + best]) best = c;
    out.push(best);
  }
  return out;
}
