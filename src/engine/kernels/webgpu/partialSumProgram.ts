import type { CountedProgram } from './convGradCommon';
import { FlatProgram } from './flatProgram';

/** Pass 2: out[i] = Σ_s partials[s][i], one invocation per output value. */
export class PartialSumProgram extends FlatProgram implements CountedProgram {
  variableNames = ['partials'];
  serialLoop: number;
  multiplyAdds: number;

  constructor(
    outputShape: number[],
    private readonly parts: number,
  ) {
    const size = outputShape.reduce((a, b) => a * b, 1);
    super(outputShape, `fdl_partialSum_${parts}_${size}`);
    this.serialLoop = parts;
    this.multiplyAdds = parts * size;
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
