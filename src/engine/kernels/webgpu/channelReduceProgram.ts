import type { CountedProgram } from './convGradCommon';
import { fault } from './convGradCommon';
import { FlatProgram } from './flatProgram';

/**
 * A per-channel sum over the rows of a [G, rows, C] view of an NHWC activation in one dispatch:
 * out[g, c] = finish(Σ_r term(i, c)) with i = (g·rows + r)·C + c. A workgroup of 256 invocations takes
 * 16 channels of one group: 16 lanes per channel walk the rows 16 apart (neighbouring invocations read
 * neighbouring channels, so a row's 16 values are one read), and a tree in workgroup memory adds the
 * 16 lanes. Batch norm's statistics and gradient sums (G = 1) and squeeze-excitation's gate gradient
 * (G = batch) are this program with another term — where tfjs runs a transpose, a reduction and the
 * element-wise ops before it, each a dispatch.
 *
 * The rows come as a uniform, not a WGSL constant: they bound a loop and nothing else, and as a constant
 * every batch size (a remainder batch, an evaluation batch) compiled each reduction again — about a
 * hundred pipelines in a small run, where keyed by channels (and the caller's constants) it is half.
 */

const CHANNELS = 16;
const LANES = 16;

export interface ChannelReduce {
  /** A name for the shader key. */
  name: string;
  /** The inputs the WGSL reads (x, dy, mean, …), in the order they are passed. */
  inputs: string[];
  /** The value added for element i (an index into the activation) of channel c. */
  term: string;
  /** The result from the sum `sum` for channel c (default: the sum); ROWS is the rows summed. */
  finish?: string;
}

export class ChannelReduceProgram extends FlatProgram implements CountedProgram {
  variableNames: string[];
  serialLoop: number;
  multiplyAdds: number;
  uniforms = 'rows : i32,';

  constructor(
    private readonly r: ChannelReduce,
    private readonly dims: { groups: number; rows: number; channels: number },
    private readonly constants = '',
    /** The result's shape: G × C values, [G, C] unless the caller's tensor has another shape of them ([C], [B, 1, 1, C]). */
    outputShape = [dims.groups, dims.channels],
  ) {
    const { groups, rows, channels } = dims;
    // The caller's constants (batch norm's ε) and the finish are part of the shader, so of its key.
    super(outputShape, `fdl_${r.name}_${channels}_${(constants + (r.finish ?? '')).replace(/\W+/g, '')}${fault().key}`);
    this.variableNames = r.inputs;
    this.workgroupSize = [CHANNELS * LANES, 1, 1];
    const tiles = Math.ceil(channels / CHANNELS);
    this.dispatch = [tiles * groups, 1, 1];
    this.serialLoop = Math.ceil(rows / LANES) + Math.log2(LANES);
    this.multiplyAdds = groups * rows * channels;
    this.invocations = this.dispatch[0] * CHANNELS * LANES;
  }

  /** The program-defined uniform its shader reads (runWebGPUProgram's fourth argument). */
  get uniformData(): { type: string; data: number[] }[] {
    return [{ type: 'int32', data: [this.dims.rows] }];
  }

  getUserCode(): string {
    const { channels } = this.dims;
    const tiles = Math.ceil(channels / CHANNELS);
    return `
const C : i32 = ${channels};
${this.constants}
var<workgroup> lanes : array<f32, ${CHANNELS * LANES}>;
fn main(index : i32) {
  let ROWS = uniforms.rows;
  let lx = i32(localIndex) % ${CHANNELS};
  let ly = i32(localIndex) / ${CHANNELS};
  let g = i32(workgroupId.x) / ${tiles};
  let c = (i32(workgroupId.x) % ${tiles}) * ${CHANNELS} + lx;
  var acc = 0.0;
  if (c < C) {
    for (var r = ly; r < ROWS; r = r + ${LANES}) {
      let i = (g * ROWS + r) * C + c;
      acc = acc + ${this.r.term};
    }
  }
  lanes[ly * ${CHANNELS} + lx] = acc;
  workgroupBarrier();
  for (var s = ${LANES / 2}; s > 0; s = s / 2) {
    if (ly < s) {
      lanes[ly * ${CHANNELS} + lx] = lanes[ly * ${CHANNELS} + lx] + lanes[(ly + s) * ${CHANNELS} + lx];
    }
    workgroupBarrier();
  }
  if (ly == 0 && c < C) {
    let sum = lanes[lx];
    result[g * C + c] = (${this.r.finish ?? 'sum'})${fault().wgsl};
  }
}`;
  }
}
