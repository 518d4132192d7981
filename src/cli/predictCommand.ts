import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { modelPreset } from '../engine/models/architectures';
import { buildTorchvisionEfficientNet, TORCHVISION_VARIANTS } from '../engine/models/torchvisionEfficientNet';
import { imagenetInput } from '../engine/weights/imagenetTransform';
import { loadStateDict } from '../engine/weights/loadStateDict';
import { readWeightFile } from '../engine/weights/readWeights';
import { decodeImage } from './decodeImage';
// torchvision's _IMAGENET_CATEGORIES (torchvision/models/_meta.py), written out once: the labels of the 1000 outputs.
import IMAGENET_CLASSES from '../engine/weights/imagenetClasses.json';

/**
 * --predict: what a weight file sees in a photo, before an hour of fine-tuning from it — the top 5
 * ImageNet classes with their probabilities, the photo prepared as torchvision's
 * EfficientNet_B*_Weights.IMAGENET1K_V1.transforms() prepare it (resize 256 / 320 bicubic, crop 224 / 300,
 * ImageNet mean and std).
 */
export interface Prediction {
  model: string;
  weights: string;
  image: string;
  input: number;
  top5: { index: number; name: string; probability: number }[];
}

export function predictCommand(args: { model?: string; weights?: string; image?: string }): Prediction {
  const { model: id, weights, image } = args;
  if (!id || !weights || !image)
    throw new Error('--predict needs --model efficientnet-b0|efficientnet-b3, --weights FILE and --image PHOTO.');
  const preset = modelPreset(id);
  if (!preset.torchvision) throw new Error(`--predict takes efficientnet-b0 or efficientnet-b3, not ${id}.`);
  const v = TORCHVISION_VARIANTS[preset.torchvision];
  const file = readWeightFile(readFileSync(weights), basename(weights));
  const x = imagenetInput(decodeImage(readFileSync(image), basename(image)), v.resize, v.crop, 'bicubic');
  const { model, keys } = buildTorchvisionEfficientNet(preset.torchvision, {
    inputSize: v.crop,
    classes: 1000,
    seed: 0,
    name: 'predict',
    imagenetInput: false,
  });
  try {
    loadStateDict(model, keys, file.tensors, {
      what: `The weight file ${basename(weights)}`,
      modelName: id,
      head: 'load',
    });
    const probs = tf.tidy(() => {
      const [logits] = model.apply(tf.tensor4d(x, [1, v.crop, v.crop, 3]), { training: false }) as tf.Tensor[];
      return tf.softmax(logits).dataSync();
    });
    const top5 = Array.from(probs, (probability, index) => ({ index, name: IMAGENET_CLASSES[index], probability }))
      .sort((a, b) => b.probability - a.probability)
      .slice(0, 5);
    return { model: id, weights: basename(weights), image: basename(image), input: v.crop, top5 };
  } finally {
    model.dispose();
  }
}

export function formatPrediction(p: Prediction): string {
  return [
    `${p.weights} as ${p.model} sees in ${p.image} (${p.input}×${p.input}, torchvision's transform):`,
    '| ImageNet class | name | probability |',
    '|---|---|---|',
    ...p.top5.map((t) => `| ${t.index} | ${t.name} | ${t.probability.toFixed(6)} |`),
  ].join('\n');
}
