import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { modelPreset } from '../engine/models/architectures';
import { TORCHVISION_VARIANTS } from '../engine/models/torchvisionEfficientNet';
import { imagenetTop5, type Top5Entry } from '../engine/weights/imagenetTop5';
import { readWeightFile } from '../engine/weights/readWeights';
import { decodeImage } from './decodeImage';
import { readWeightBytes } from './pretrainedFiles';

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
  top5: Top5Entry[];
}

export async function predictCommand(args: { model?: string; weights?: string; image?: string }): Promise<Prediction> {
  const { model: id, weights, image } = args;
  if (!id || !weights || !image)
    throw new Error('--predict needs --model efficientnet-b0|efficientnet-b3, --weights FILE and --image PHOTO.');
  const preset = modelPreset(id);
  if (!preset.torchvision) throw new Error(`--predict takes efficientnet-b0 or efficientnet-b3, not ${id}.`);
  const file = readWeightFile(readWeightBytes(weights, '--weights'), basename(weights));
  const photo = await decodeImage(readFileSync(image), basename(image));
  const top5 = imagenetTop5(preset.torchvision, file.tensors, photo, `The weight file ${basename(weights)}`);
  return {
    model: id,
    weights: basename(weights),
    image: basename(image),
    input: TORCHVISION_VARIANTS[preset.torchvision].crop,
    top5,
  };
}

export function formatPrediction(p: Prediction): string {
  return [
    `${p.weights} as ${p.model} sees in ${p.image} (${p.input}×${p.input}, torchvision's transform):`,
    '| ImageNet class | name | probability |',
    '|---|---|---|',
    ...p.top5.map((t) => `| ${t.index} | ${t.name} | ${t.probability.toFixed(6)} |`),
  ].join('\n');
}
