import * as tf from '@tensorflow/tfjs';
import type { ModelSize } from '../types';

/**
 * What a model costs to store and to run. FLOPs count one multiply and one add per
 * multiply-accumulate of the convolutions and dense layers (FLOPs = 2 × MACs), the usual
 * convention of model-compression papers; batch norm, activations, pooling and the SE gate's
 * elementwise product are left out (< 2% of a convolutional network's FLOPs).
 * Bytes: float32 4 per weight, float16 2, uint8 1 plus a float32 minimum and scale per weight
 * tensor (tfjs's affine weight quantization).
 */

/** Multiply-accumulates of one forward pass of one image. */
export function macsPerImage(model: tf.LayersModel): number {
  let macs = 0;
  for (const layer of model.layers) {
    const cls = layer.getClassName();
    const out = layer.outputShape as number[];
    const cfg = layer.getConfig() as {
      kernelSize?: number | number[];
      filters?: number;
      depthMultiplier?: number;
      units?: number;
    };
    const inShape = layer.inputSpec?.[0]?.shape ?? (layer.input as tf.SymbolicTensor).shape;
    const kernel = Array.isArray(cfg.kernelSize) ? cfg.kernelSize : [cfg.kernelSize ?? 1, cfg.kernelSize ?? 1];
    if (cls === 'Conv2D') {
      const inC = inShape[inShape.length - 1] as number;
      macs += out[1] * out[2] * kernel[0] * kernel[1] * inC * (cfg.filters as number);
    } else if (cls === 'DepthwiseConv2D') {
      const inC = inShape[inShape.length - 1] as number;
      macs += out[1] * out[2] * kernel[0] * kernel[1] * inC * (cfg.depthMultiplier ?? 1);
    } else if (cls === 'Dense') {
      const inF = inShape[inShape.length - 1] as number;
      macs += inF * (cfg.units as number);
    }
  }
  return macs;
}

export function modelSize(model: tf.LayersModel): ModelSize {
  const params = model.countParams();
  const tensors = model.weights.length;
  return {
    params,
    bytesFloat32: params * 4,
    bytesFloat16: params * 2,
    bytesUint8: params + tensors * 8,
    flops: 2 * macsPerImage(model),
  };
}

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Inference latency per image on the current backend: median of `repeats` batches after one
 * warm-up batch (kernel compilation and operator caches excluded).
 */
/** Per image, in ms: the median of timed batches after a warm-up, and the fastest and slowest batch. */
export interface Latency {
  medianMs: number;
  spreadMs: [number, number];
}

export async function latencyPerImage(
  model: tf.LayersModel,
  inputSize: number,
  batch = 32,
  repeats = 5,
): Promise<number> {
  return (await latencyOf(model, inputSize, batch, repeats)).medianMs;
}

export async function latencyOf(model: tf.LayersModel, inputSize: number, batch = 32, repeats = 7): Promise<Latency> {
  const x = tf.randomUniform([batch, inputSize, inputSize, 3], -1, 1, 'float32', 7) as tf.Tensor4D;
  const once = async () => {
    const out = model.predict(x);
    const outs = Array.isArray(out) ? out : [out];
    await outs[0].data();
    tf.dispose(outs);
  };
  try {
    await once();
    const times: number[] = [];
    for (let i = 0; i < repeats; i++) {
      const t0 = performance.now();
      await once();
      times.push(performance.now() - t0);
    }
    return { medianMs: median(times) / batch, spreadMs: [Math.min(...times) / batch, Math.max(...times) / batch] };
  } finally {
    x.dispose();
  }
}
