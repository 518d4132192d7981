import type { CountedProgram } from './convGradCommon';
import { FLAT_GROUP } from './convGradCommon';

/** Pass 2: out[i] = Σ_s partials[s][i], one invocation per output value. */
export class PartialSumProgram implements CountedProgram {
  variableNames = ['partials'];
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = [FLAT_GROUP, 1, 1];
  size = true;
  invocations: number;
  serialLoop: number;
  multiplyAdds: number;

  constructor(
    outputShape: number[],
    private readonly parts: number,
  ) {
    this.outputShape = outputShape;
    const size = outputShape.reduce((a, b) => a * b, 1);
    this.dispatchLayout = { x: outputShape.map((_, i) => i) };
    this.dispatch = [Math.ceil(size / FLAT_GROUP), 1, 1];
    this.invocations = this.dispatch[0] * FLAT_GROUP;
    this.serialLoop = parts;
    this.multiplyAdds = parts * size;
    this.shaderKey = `fdl_partialSum_${parts}_${size}`;
  }

  getUserCode(): string {
    return `
fn main(index : i32) {
  if (index < uniforms.size) {
    var acc = 0.0;
    for (var s = 0; s < ${this.parts}; s = s + 1) {
      acc = acc + partials[s * uniforms.size + index];
    }
    result[index] = acc;
  }
}`;
  }
}
