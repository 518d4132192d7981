import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { channelScaleShape } from '../fusedKernels';
import { ChannelReduceProgram } from './channelReduceProgram';
import { fault } from './convGradCommon';
import { FlatProgram } from './flatProgram';

/**
 * Squeeze-and-excitation's gate on WebGPU under the wasm path's kernel names: y = x·s[b, c] for x
 * [B, …, C] and s [B, 1, …, 1, C], one dispatch (tfjs's broadcasting multiply is one too, but its
 * gradient is two multiplies, a transpose and a reduction); the gradient in two:
 *   dx = dy·s[b, c]                 (one invocation per element)
 *   ds[b, c] = Σ_pixels dy·x        (ChannelReduceProgram with one group per image)
 */

type Info = tf.TensorInfo;

class ScaleProgram extends FlatProgram {
  variableNames = ['x', 's'];

  constructor(
    shape: number[],
    private readonly dims: [number, number, number],
  ) {
    super(shape, `fdl_channelScale_${dims.join('_')}${fault().key}`);
  }

  getUserCode(): string {
    const [, P, C] = this.dims;
    return `
fn main(index : i32) {
  if (index < uniforms.size) {
    let c = index % ${C};
    let b = index / ${P * C};
    result[index] = x[index] * s[b * ${C} + c]${fault().wgsl};
  }
}`;
  }
}

const forward: tf.KernelFunc = ({ inputs, backend }) => {
  const { x, s } = inputs as { x: Info; s: Info };
  const dims = channelScaleShape(x.shape, s.shape)!;
  return (backend as WebGPUBackend).runWebGPUProgram(new ScaleProgram(x.shape, dims), [x, s], 'float32');
};

const backward: tf.KernelFunc = ({ inputs, backend }) => {
  const { dy, x, s } = inputs as { dy: Info; x: Info; s: Info };
  const b = backend as WebGPUBackend;
  const dims = channelScaleShape(x.shape, s.shape)!;
  const dx = b.runWebGPUProgram(new ScaleProgram(x.shape, dims), [dy, s], 'float32');
  const [B, P, C] = dims;
  const reduce = new ChannelReduceProgram(
    { name: 'channelScaleGrad', inputs: ['dy', 'x'], term: 'dy[i] * x[i]' },
    { groups: B, rows: P, channels: C },
    '',
    s.shape,
  );
  const ds = b.runWebGPUProgram(reduce, [dy, x], 'float32', reduce.uniformData);
  return [dx, ds];
};

export const CHANNEL_SCALE_KERNELS: [string, tf.KernelFunc][] = [
  ['LabChannelScale', forward],
  ['LabChannelScaleGrad', backward],
];
