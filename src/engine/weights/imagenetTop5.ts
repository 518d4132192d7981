import * as tf from '@tensorflow/tfjs';
import {
  buildTorchvisionEfficientNet,
  TORCHVISION_VARIANTS,
  type TorchvisionArch,
} from '../models/torchvisionEfficientNet';
import { imagenetInput, type RgbImage } from './imagenetTransform';
import { loadStateDict } from './loadStateDict';
import type { RawTensor } from './rawTensor';
// torchvision's _IMAGENET_CATEGORIES (torchvision/models/_meta.py), written out once: the labels of the 1000 outputs.
import IMAGENET_CLASSES from './imagenetClasses.json';

/**
 * What an ImageNet weight file sees in a photo: the top 5 of its 1000 classes with their probabilities,
 * the photo prepared as torchvision's transform prepares it. The runner's --predict and the page's check
 * of a picked file both call this.
 */
export interface Top5Entry {
  index: number;
  name: string;
  probability: number;
}

export function imagenetTop5(
  arch: TorchvisionArch,
  tensors: Map<string, RawTensor>,
  photo: RgbImage,
  what: string,
): Top5Entry[] {
  const v = TORCHVISION_VARIANTS[arch];
  const x = imagenetInput(photo, v.resize, v.crop, 'bicubic');
  const { model, keys } = buildTorchvisionEfficientNet(arch, {
    inputSize: v.crop,
    classes: 1000,
    seed: 0,
    name: 'imagenet_check',
    imagenetInput: false,
  });
  try {
    const report = loadStateDict(model, keys, tensors, { what, modelName: `efficientnet-${arch}`, head: 'load' });
    if (report.fileClasses !== 1000)
      throw new Error(`${what} has a ${report.fileClasses}-class head, not ImageNet's 1000.`);
    const probs = tf.tidy(() => {
      const [logits] = model.apply(tf.tensor4d(x, [1, v.crop, v.crop, 3]), { training: false }) as tf.Tensor[];
      return tf.softmax(logits).dataSync();
    });
    return Array.from(probs, (probability, index) => ({ index, name: IMAGENET_CLASSES[index], probability }))
      .sort((a, b) => b.probability - a.probability)
      .slice(0, 5);
  } finally {
    model.dispose();
  }
}
