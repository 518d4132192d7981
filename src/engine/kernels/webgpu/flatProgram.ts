import type { WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import { FLAT_GROUP } from './convGradCommon';

/**
 * A WebGPU program with one invocation per output value, in workgroups of FLAT_GROUP along x: the shape
 * of the lab's element-wise programs (Adam's parts, swish, a split reduction's partial sums, the depthwise
 * input gradient). A subclass names its inputs, its shader key and its WGSL body; `uniforms.size` bounds it.
 */
export abstract class FlatProgram implements WebGPUProgram {
  abstract variableNames: string[];
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = [FLAT_GROUP, 1, 1];
  size = true;
  /** Invocations the dispatch starts (whole workgroups). */
  invocations: number;

  constructor(outputShape: number[], shaderKey: string) {
    this.outputShape = outputShape;
    this.shaderKey = shaderKey;
    this.dispatchLayout = { x: outputShape.map((_, i) => i) };
    this.dispatch = [Math.ceil(outputShape.reduce((a, b) => a * b, 1) / FLAT_GROUP), 1, 1];
    this.invocations = this.dispatch[0] * FLAT_GROUP;
  }

  abstract getUserCode(): string;
}
