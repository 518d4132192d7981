import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { ChannelReduceProgram, type ChannelReduce } from './channelReduceProgram';
import { fault } from './convGradCommon';
import { FlatProgram } from './flatProgram';

/**
 * Batch norm in training on WebGPU under the wasm path's kernel names (fusedKernels.ts), three dispatches
 * forward and four back where tfjs's moments, batchNorm and their gradients take about forty (transposes
 * before every per-channel sum, tiles, a dozen element-wise ops):
 *   LabBatchNormTrain(x, scale, offset) → [y, mean, variance]
 *     mean = Σx/N, variance = Σ(x − mean)²/N (tf.moments' two passes), y = (x − mean)·scale/√(var + ε) + offset
 *   LabBatchNormTrainGrad(dy, x, mean, variance, scale, dmean, dvariance) → [dx, dScale, dOffset]
 *     dOffset = Σdy, dScale = Σdy·(x − mean)/√(var + ε), and with k = scale/√(var + ε):
 *     dx = k·dy + q·(x − mean) + d,  q = −k·dScale/(N·√(var + ε)) + 2·dvariance/N,  d = −k·dOffset/N + dmean/N
 *     (q and d per channel in a small program: the seven inputs dx needs besides would pass WebGPU's
 *     eight storage buffers per program)
 *   LabMovingAverage(orig, value) → orig − (orig − value)·(1 − momentum)   (tfjs-layers' update, one op)
 * N is the rows (every axis but the last); the channel is the last axis.
 */

type Info = tf.TensorInfo;

function rowsOf(x: Info): { rows: number; channels: number } {
  const channels = x.shape[x.shape.length - 1];
  return { rows: tf.util.sizeFromShape(x.shape) / channels, channels };
}

const wgslFloat = (v: number) => {
  const s = String(Math.fround(v));
  return /[.e]/.test(s) ? s : `${s}.0`;
};

/** One invocation per element of x, with the channel c = index % C at hand. */
class ChannelwiseProgram extends FlatProgram {
  variableNames: string[];

  constructor(
    name: string,
    shape: number[],
    inputs: string[],
    private readonly value: string,
    private readonly constants: string,
  ) {
    super(shape, `fdl_${name}_${shape[shape.length - 1]}_${constants.replace(/\W+/g, '')}${fault().key}`);
    this.variableNames = inputs;
  }

  getUserCode(): string {
    return `
${this.constants}
fn main(index : i32) {
  if (index < uniforms.size) {
    let c = index % C;
    result[index] = (${this.value})${fault().wgsl};
  }
}`;
  }
}

function reduce(b: WebGPUBackend, r: ChannelReduce, x: Info, inputs: Info[], constants = ''): Info {
  const { rows, channels } = rowsOf(x);
  const program = new ChannelReduceProgram(r, { groups: 1, rows, channels }, constants, [channels]);
  return b.runWebGPUProgram(program, inputs, 'float32', program.uniformData);
}

const forward: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, scale, offset } = inputs as { x: Info; scale: Info; offset: Info };
  const eps = (attrs as unknown as { varianceEpsilon: number }).varianceEpsilon;
  const b = backend as WebGPUBackend;
  const { channels } = rowsOf(x);
  const mean = reduce(b, { name: 'bnMean', inputs: ['x'], term: 'x[i]', finish: 'sum / f32(ROWS)' }, x, [x]);
  const variance = reduce(
    b,
    {
      name: 'bnVariance',
      inputs: ['x', 'mean'],
      term: '(x[i] - mean[c]) * (x[i] - mean[c])',
      finish: 'sum / f32(ROWS)',
    },
    x,
    [x, mean],
  );
  const y = b.runWebGPUProgram(
    new ChannelwiseProgram(
      'bnNormalize',
      x.shape,
      ['x', 'mean', 'variance', 'scale', 'offset'],
      '(x[index] - mean[c]) * inverseSqrt(variance[c] + EPS) * scale[c] + offset[c]',
      `const C : i32 = ${channels};\nconst EPS : f32 = ${wgslFloat(eps)};`,
    ),
    [x, mean, variance, scale, offset],
    'float32',
  );
  return [y, mean, variance];
};

const backward: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, x, mean, variance, scale, dmean, dvariance } = inputs as Record<string, Info>;
  const eps = (attrs as unknown as { varianceEpsilon: number }).varianceEpsilon;
  const b = backend as WebGPUBackend;
  const { rows, channels } = rowsOf(x);
  const epsilon = `const EPS : f32 = ${wgslFloat(eps)};`;
  const constants = `${epsilon}\nconst N : f32 = ${rows}.0;`;
  const dOffset = reduce(b, { name: 'bnSumDy', inputs: ['dy'], term: 'dy[i]' }, x, [dy]);
  const dScale = reduce(
    b,
    {
      name: 'bnSumDyCentered',
      inputs: ['dy', 'x', 'mean', 'variance'],
      term: 'dy[i] * (x[i] - mean[c])',
      finish: 'sum * inverseSqrt(variance[c] + EPS)',
    },
    x,
    [dy, x, mean, variance],
    epsilon,
  );
  // [3, C]: k, q, d of each channel.
  const coefficients = b.runWebGPUProgram(
    new ChannelwiseProgram(
      'bnGradCoefficients',
      [3, channels],
      ['scale', 'variance', 'dOffset', 'dScale', 'dmean', 'dvariance'],
      'coefficient(index / C, c)',
      `const C : i32 = ${channels};
${constants}
fn coefficient(row : i32, c : i32) -> f32 {
  let inv = inverseSqrt(variance[c] + EPS);
  let k = scale[c] * inv;
  if (row == 0) {
    return k;
  }
  if (row == 1) {
    return -k * inv * dScale[c] / N + 2.0 * dvariance[c] / N;
  }
  return -k * dOffset[c] / N + dmean[c] / N;
}`,
    ),
    [scale, variance, dOffset, dScale, dmean, dvariance],
    'float32',
  );
  const dx = b.runWebGPUProgram(
    new ChannelwiseProgram(
      'bnGradInput',
      x.shape,
      ['dy', 'x', 'mean', 'coefficients'],
      'coefficients[c] * dy[index] + coefficients[C + c] * (x[index] - mean[c]) + coefficients[2 * C + c]',
      `const C : i32 = ${channels};`,
    ),
    [dy, x, mean, coefficients],
    'float32',
  );
  b.disposeData(coefficients.dataId);
  return [dx, dScale, dOffset];
};

const movingAverage: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { orig, value } = inputs as { orig: Info; value: Info };
  const decay = Math.fround(1 - (attrs as unknown as { momentum: number }).momentum);
  return (backend as WebGPUBackend).runWebGPUProgram(
    new ChannelwiseProgram(
      'movingAverage',
      orig.shape,
      ['orig', 'value'],
      'orig[index] - (orig[index] - value[index]) * DECAY',
      `const C : i32 = ${orig.shape[orig.shape.length - 1] ?? 1};\nconst DECAY : f32 = ${wgslFloat(decay)};`,
    ),
    [orig, value],
    'float32',
  );
};

export const BATCH_NORM_KERNELS: [string, tf.KernelFunc][] = [
  ['LabBatchNormTrain', forward],
  ['LabBatchNormTrainGrad', backward],
  ['LabMovingAverage', movingAverage],
];
