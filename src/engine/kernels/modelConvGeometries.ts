import * as tf from '@tensorflow/tfjs';
import { buildModel, modelPreset } from '../models/efficientnet';
import { EXPERIMENT_PRESETS } from '../presets';

/** One convolution as a model runs it: the gradient kernels see exactly these shapes (batch aside). */
export interface ConvGeometry {
  kind: 'conv' | 'depthwise';
  /** [height, width, channels] of the layer's input. */
  input: [number, number, number];
  kernel: number;
  outChannels: number;
  stride: number;
  where: string;
}

/**
 * Every distinct convolution of every preset's teacher and student, read off the built models
 * (so a change to the architectures reaches the kernel checks without anyone listing shapes).
 */
export function modelConvGeometries(): ConvGeometry[] {
  const seen = new Map<string, ConvGeometry>();
  forEachPresetModel((model, where) => {
    for (const layer of model.layers) {
      const kind =
        layer.getClassName() === 'Conv2D' ? 'conv' : layer.getClassName() === 'DepthwiseConv2D' ? 'depthwise' : null;
      if (!kind) continue;
      const c = layer.getConfig() as { kernelSize: number[]; strides: number[]; filters?: number };
      const [, h, w, ch] = layer.inputSpec?.[0]?.shape ?? (layer.input as tf.SymbolicTensor).shape;
      const g: ConvGeometry = {
        kind,
        input: [h!, w!, ch!],
        kernel: c.kernelSize[0],
        outChannels: kind === 'conv' ? c.filters! : ch!,
        stride: c.strides[0],
        where,
      };
      const key = JSON.stringify([g.kind, g.input, g.kernel, g.outChannels, g.stride]);
      if (!seen.has(key)) seen.set(key, g);
    }
  });
  return [...seen.values()];
}

/**
 * Builds every preset's teacher and student in turn (at its image size and classes), hands each to
 * `visit` with where it comes from ("lab/lab-teacher"), and disposes it: what the kernel checks read
 * their shapes off.
 */
export function forEachPresetModel(visit: (model: tf.LayersModel, where: string) => void): void {
  for (const [preset, cfg] of Object.entries(EXPERIMENT_PRESETS)) {
    for (const id of [cfg.teacherModel, cfg.studentModel]) {
      const model = buildModel(modelPreset(id), {
        inputSize: cfg.dataset.size,
        classes: cfg.dataset.classes,
        seed: 1,
        name: 'm',
      });
      try {
        visit(model, `${preset}/${id}`);
      } finally {
        model.dispose();
      }
    }
  }
}
