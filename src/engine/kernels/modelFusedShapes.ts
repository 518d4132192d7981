import type * as tf from '@tensorflow/tfjs';
import { forEachPresetModel } from './modelConvGeometries';

/** Where the models run a fused op, and on what (batch aside): the fused kernels see exactly these. */
export interface FusedShape {
  op: 'swish' | 'batchNorm' | 'channelScale';
  /** The op's input without the batch axis; for channelScale, x's (s is [1, 1, C]). */
  shape: number[];
  where: string;
}

/**
 * Every distinct swish, batch norm and squeeze-and-excitation scaling of every preset's teacher and
 * student, read off the built models (as modelConvGeometries reads the convolutions, through the same forEachPresetModel).
 */
export function modelFusedShapes(): FusedShape[] {
  const seen = new Map<string, FusedShape>();
  const add = (s: FusedShape) => {
    const key = JSON.stringify([s.op, s.shape]);
    if (!seen.has(key)) seen.set(key, s);
  };
  forEachPresetModel((model, where) => {
    for (const layer of model.layers) {
      const out = (layer.output as tf.SymbolicTensor).shape.slice(1) as number[];
      const name = layer.getClassName();
      const activation = (layer.getConfig() as { activation?: string }).activation;
      if ((name === 'Activation' || name === 'Conv2D') && activation === 'swish')
        add({ op: 'swish', shape: out, where });
      if (name === 'BatchNormalization') add({ op: 'batchNorm', shape: out, where });
      if (name === 'Multiply') add({ op: 'channelScale', shape: out, where });
    }
  });
  return [...seen.values()];
}
