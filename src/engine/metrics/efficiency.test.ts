import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildModel, modelPreset } from '../models/efficientnet';
import { useTestBackend } from '../testing/setup';
import { latencyPerImage, macsPerImage, modelSize } from './efficiency';

beforeAll(() => useTestBackend());

/**
 * A small model worked by hand:
 *   input 8×8×3
 *   conv 3×3, 3→4, stride 1, same, bias   → 8×8×4: MACs 8·8·3·3·3·4 = 6912;  params 3·3·3·4 + 4 = 112
 *   depthwise 3×3, stride 2, same, ×1     → 4×4×4: MACs 4·4·3·3·4   =  576;  params 3·3·4     =  36
 *   batch norm (4 channels)               →        MACs 0;                  params 4·4       =  16
 *   global average pool                   → 4
 *   dense 4→5, bias                       →        MACs 4·5 = 20;            params 4·5 + 5   =  25
 * Total MACs 7508 → FLOPs 15016; params 189 in 9 weight tensors (kernel+bias, depthwise kernel,
 * γ, β, moving mean and variance, kernel+bias).
 */
function small(): tf.LayersModel {
  const input = tf.input({ shape: [8, 8, 3] });
  let x = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same' }).apply(input) as tf.SymbolicTensor;
  x = tf.layers
    .depthwiseConv2d({ kernelSize: 3, strides: 2, padding: 'same', useBias: false })
    .apply(x) as tf.SymbolicTensor;
  x = tf.layers.batchNormalization().apply(x) as tf.SymbolicTensor;
  x = tf.layers.globalAveragePooling2d({}).apply(x) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 5 }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

describe('model cost', () => {
  it('counts MACs, FLOPs, parameters and bytes of a small model as worked by hand', () => {
    const m = small();
    expect(macsPerImage(m)).toBe(7508);
    const size = modelSize(m);
    expect(size).toEqual({ params: 189, bytesFloat32: 756, bytesFloat16: 378, bytesUint8: 189 + 9 * 8, flops: 15016 });
    m.dispose();
  });

  it('finds the real EfficientNet-B0 at 224 px near its published 0.39 GFLOPs (2 × 0.39 G MACs)', () => {
    const b0 = buildModel(modelPreset('efficientnet-b0'), { inputSize: 224, classes: 1000, seed: 1, name: 'b0' });
    const gmacs = macsPerImage(b0) / 1e9;
    // Tan & Le report 0.39 B FLOPs counting multiply-adds; our count leaves out the SE and BN ops.
    expect(gmacs).toBeGreaterThan(0.37);
    expect(gmacs).toBeLessThan(0.41);
    b0.dispose();
  });

  it('measures a positive latency per image and frees its tensors', async () => {
    const m = small();
    const before = tf.memory().numTensors;
    const ms = await latencyPerImage(m, 8, 4, 3);
    expect(ms).toBeGreaterThan(0);
    expect(tf.memory().numTensors).toBe(before);
    m.dispose();
  });
});
