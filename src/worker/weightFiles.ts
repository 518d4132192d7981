import type * as tf from '@tensorflow/tfjs';
import { modelPreset } from '../engine/models/architectures';
import { buildTorchvisionEfficientNet } from '../engine/models/torchvisionEfficientNet';
import type { PretrainedWeights } from '../engine/run/pretrained';
import type { ExperimentConfig, WeightFileRef } from '../engine/types';
import { loadStateDict } from '../engine/weights/loadStateDict';
import type { RawTensor } from '../engine/weights/rawTensor';
import { readWeightFile, weightFileSizeProblem } from '../engine/weights/readWeights';
import { imagenetTop5, type Top5Entry } from '../engine/weights/imagenetTop5';

/**
 * Weight files the user picks for torchvision's B0/B3 (a .pth or a safetensors file), read and checked here
 * in the worker — off the page's thread — before anything is kept: the whole file parsed, every tensor
 * fitted into the model it is for. Only then is it written to the origin's private file system (OPFS,
 * `weights/<sha256>`: a 50 MB file is no IndexedDB record), where a run reads it back by its SHA-256.
 */

export interface LoadedWeights extends WeightFileRef {
  model: string;
  keyNames: 'torchvision' | 'timm';
  fileClasses: number;
}

async function weightsFolder(): Promise<FileSystemDirectoryHandle> {
  const root = await navigator.storage.getDirectory();
  return root.getDirectoryHandle('weights', { create: true });
}

const hex = (b: ArrayBuffer) => [...new Uint8Array(b)].map((x) => x.toString(16).padStart(2, '0')).join('');

export async function importWeights(file: File, modelId: string): Promise<LoadedWeights> {
  const arch = modelPreset(modelId).torchvision;
  if (!arch) throw new Error(`${modelId} takes no weight file: choose efficientnet-b0 or efficientnet-b3.`);
  const tooLarge = weightFileSizeProblem(file.name, file.size);
  if (tooLarge) throw new Error(tooLarge);
  const bytes = new Uint8Array(await file.arrayBuffer());
  const tensors = readWeightFile(bytes, file.name).tensors;
  // The fit, checked on the network itself (the image size does not change a weight's shape).
  const { model, keys } = buildTorchvisionEfficientNet(arch, { inputSize: 32, classes: 2, seed: 0, name: 'check' });
  let report;
  try {
    report = loadStateDict(model, keys, tensors, {
      what: `The weight file ${file.name}`,
      modelName: modelId,
      head: 'replace',
    });
  } finally {
    (model as tf.LayersModel).dispose();
  }
  const sha256 = hex(await crypto.subtle.digest('SHA-256', bytes));
  const handle = await (await weightsFolder()).getFileHandle(sha256, { create: true });
  const writable = await handle.createWritable();
  await writable.write(bytes);
  await writable.close();
  return {
    name: file.name,
    bytes: bytes.length,
    sha256,
    model: modelId,
    keyNames: report.keyNames,
    fileClasses: report.fileClasses,
  };
}

/** What a run's config names, read back from the private file system (refused by name when it is gone). */
export async function storedWeights(config: ExperimentConfig): Promise<PretrainedWeights | undefined> {
  const read = new Map<string, Map<string, RawTensor>>();
  for (const role of ['teacher', 'student'] as const) {
    const ref = config.pretrained?.[role];
    if (!ref) continue;
    let bytes: Uint8Array;
    try {
      const handle = await (await weightsFolder()).getFileHandle(ref.sha256);
      bytes = new Uint8Array(await (await handle.getFile()).arrayBuffer());
    } catch {
      throw new Error(`The ${role}'s weight file ${ref.name} is no longer stored in this browser; pick it again.`);
    }
    read.set(role, readWeightFile(bytes, ref.name).tensors);
  }
  return read.size ? (role) => read.get(role) : undefined;
}

/** A photo decoded by the browser at its own size, as 8-bit RGB (the transform resizes it as Pillow would). */
async function photoPixels(image: Blob, name: string): Promise<{ width: number; height: number; rgb: Uint8Array }> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(image);
  } catch {
    throw new Error(`${name} could not be decoded as an image (JPEG, PNG or WebP).`);
  }
  try {
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
    ctx.drawImage(bitmap, 0, 0);
    const rgba = ctx.getImageData(0, 0, bitmap.width, bitmap.height).data;
    const rgb = new Uint8Array(bitmap.width * bitmap.height * 3);
    for (let i = 0, j = 0; i < rgba.length; i += 4, j += 3) {
      rgb[j] = rgba[i];
      rgb[j + 1] = rgba[i + 1];
      rgb[j + 2] = rgba[i + 2];
    }
    return { width: bitmap.width, height: bitmap.height, rgb };
  } finally {
    bitmap.close();
  }
}

/** "These weights see: …": the kept file's top 5 ImageNet classes on a photo the user picks. */
export async function checkWeights(
  ref: { name: string; sha256: string; model: string },
  image: File,
): Promise<Top5Entry[]> {
  const arch = modelPreset(ref.model).torchvision;
  if (!arch) throw new Error(`${ref.model} takes no weight file.`);
  const handle = await (await weightsFolder()).getFileHandle(ref.sha256);
  const bytes = new Uint8Array(await (await handle.getFile()).arrayBuffer());
  return imagenetTop5(
    arch,
    readWeightFile(bytes, ref.name).tensors,
    await photoPixels(image, image.name),
    `The weight file ${ref.name}`,
  );
}
