import * as tf from '@tensorflow/tfjs';
import type { TorchKey } from '../models/torchvisionEfficientNet';
import { toFloat32, type RawTensor } from './rawTensor';
import { isTimmEfficientNet, timmToTorchvision } from './timmKeys';

/**
 * Fills a torchvision-layout model from a state_dict read from a weight file, converting each layout
 * (conv OIHW → HWIO, depthwise [C,1,kH,kW] → [kH,kW,C,1], Linear [out,in] → [in,out]; batch norm's
 * weight, bias, running_mean, running_var; num_batches_tracked dropped). Everything is checked before
 * anything is written: a missing, extra or mis-shaped tensor is refused with the first offending name and
 * both shapes, and the model is left as it was. timm's key names are translated first.
 *
 * `head`: 'load' takes the file's classifier (it must have the model's classes); 'replace' keeps the
 * model's new classifier when the file's has other classes (a 1000-class ImageNet head, fine-tuned to
 * the dataset's), checking only that it reads the same features.
 */
export interface LoadReport {
  /** The file's classifier was replaced by the model's new head. */
  headReplaced: boolean;
  fileClasses: number;
  tensors: number;
  keyNames: 'torchvision' | 'timm';
}

/** The PyTorch shape a tfjs weight comes from. */
function torchShape(kind: TorchKey['kind'], shape: number[]): number[] {
  switch (kind) {
    case 'conv':
      return [shape[3], shape[2], shape[0], shape[1]];
    case 'depthwise':
      return [shape[2], shape[3], shape[0], shape[1]];
    case 'linear':
      return [shape[1], shape[0]];
    case 'vector':
      return shape;
  }
}

const PERM: Record<TorchKey['kind'], number[] | null> = {
  conv: [2, 3, 1, 0],
  depthwise: [2, 3, 0, 1],
  linear: [1, 0],
  vector: null,
};

export function loadStateDict(
  model: tf.LayersModel,
  keys: TorchKey[],
  file: Map<string, RawTensor>,
  opts: { what: string; modelName: string; head: 'load' | 'replace' },
): LoadReport {
  const timm = isTimmEfficientNet(file.keys());
  // The head's stage: the highest features index (8 for B0–B7).
  const lastStage = Math.max(...keys.map((k) => Number(/^features\.(\d+)\./.exec(k.key)?.[1] ?? 0)));
  const tensors = new Map<string, RawTensor>();
  for (const [name, t] of file) {
    if (name.endsWith('num_batches_tracked')) continue;
    const key = timm ? timmToTorchvision(name, lastStage) : name;
    if (key === null)
      throw new Error(
        `${opts.what} holds ${name}, which ${opts.modelName} has no place for (a file of another model?).`,
      );
    tensors.set(key, t);
  }
  const expected = new Set(keys.map((k) => k.key));
  for (const name of tensors.keys())
    if (!expected.has(name))
      throw new Error(
        `${opts.what} holds ${name}, which ${opts.modelName} has no place for (a file of another model?). Nothing was loaded.`,
      );
  const layers = new Map(model.layers.map((l) => [l.name, l]));
  const headWeight = keys.find((k) => k.head && k.kind === 'linear')!;
  const fileHead = tensors.get(headWeight.key);
  const modelHead = torchShape('linear', layers.get(headWeight.layer)!.getWeights()[0].shape);
  const fileClasses = fileHead?.shape[0] ?? 0;
  const replaceHead = opts.head === 'replace' && fileHead !== undefined && fileHead.shape[0] !== modelHead[0];
  // Every check first: shapes of every tensor the model takes.
  const plan: { k: TorchKey; t: RawTensor }[] = [];
  for (const k of keys) {
    if (k.head && replaceHead) continue;
    const t = tensors.get(k.key);
    if (!t)
      throw new Error(
        `${opts.what} lacks ${k.key}, which ${opts.modelName} needs (a file of another model, or not a whole state_dict). Nothing was loaded.`,
      );
    const want = torchShape(k.kind, layers.get(k.layer)!.getWeights()[k.index].shape);
    if (t.shape.join() !== want.join())
      throw new Error(
        `${opts.what} does not fit ${opts.modelName}: ${k.key} is [${t.shape.join(', ')}] in the file and [${want.join(', ')}] in the model (a file of another model?). Nothing was loaded.`,
      );
    plan.push({ k, t });
  }
  // The new head reads the file's features: the last check, after every tensor of the body.
  if (replaceHead && fileHead!.shape[1] !== modelHead[1])
    throw new Error(
      `${opts.what} does not fit ${opts.modelName}: its classifier reads ${fileHead!.shape[1]} features, the model's ${modelHead[1]} (a file of another model?). Nothing was loaded.`,
    );
  // Values converted (an unknown dtype is refused here, still before any write).
  const values = plan.map(({ k, t }) => toFloat32(k.key, t));
  const byLayer = new Map<string, tf.Tensor[]>();
  tf.tidy(() => {
    plan.forEach(({ k, t }, i) => {
      const layer = layers.get(k.layer)!;
      const current = byLayer.get(k.layer) ?? layer.getWeights().map((w) => tf.keep(w.clone()));
      const perm = PERM[k.kind];
      const torch = tf.tensor(values[i], t.shape);
      const converted = perm ? torch.transpose(perm) : torch;
      tf.dispose(current[k.index]);
      current[k.index] = tf.keep(converted);
      byLayer.set(k.layer, current);
    });
  });
  for (const [name, weights] of byLayer) {
    layers.get(name)!.setWeights(weights);
    tf.dispose(weights);
  }
  return { headReplaced: replaceHead, fileClasses, tensors: plan.length, keyNames: timm ? 'timm' : 'torchvision' };
}
