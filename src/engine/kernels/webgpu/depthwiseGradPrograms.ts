import type { ConvGradGeometry, CountedProgram } from './convGradCommon';
import { FlatProgram } from './flatProgram';
import { FLAT_GROUP, constants, fault, geometryKey, splitOf } from './convGradCommon';
import { PartialSumProgram } from './partialSumProgram';

/* The depthwise convolution's filter gradient (split over output pixels) and input gradient (one invocation per input value). */

/**
 * Depthwise ∂W[fy, fx, c, q] = Σ_{b, oy, ox} x[b, iy, ix, c] · dy[b, oy, ox, c·mult + q], the pixels split
 * into S chunks (pass 1: one invocation per weight and chunk), then summed (pass 2).
 */
export class DepthwiseFilterPartialProgram implements CountedProgram {
  variableNames = ['x', 'dy'];
  outputShape: number[];
  shaderKey: string;
  dispatchLayout = { x: [1], y: [0] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = [FLAT_GROUP, 1, 1];
  invocations: number;
  serialLoop: number;
  multiplyAdds: number;
  private readonly weights: number;

  constructor(
    private readonly g: ConvGradGeometry,
    private readonly split: { chunk: number; parts: number },
    finalShape: number[],
  ) {
    this.weights = g.fH * g.fW * g.inC * g.mult;
    this.outputShape = split.parts === 1 ? finalShape : [split.parts, this.weights];
    this.dispatch = [Math.ceil(this.weights / FLAT_GROUP), split.parts, 1];
    this.invocations = this.dispatch[0] * this.dispatch[1] * FLAT_GROUP;
    this.serialLoop = split.chunk;
    this.multiplyAdds = g.batch * g.outH * g.outW * this.weights;
    this.shaderKey = `fdl_depthwiseFilterGrad_${geometryKey(g)}_${split.chunk}_${split.parts}${this.fault.key}`;
  }
  private readonly fault = fault();

  getUserCode(): string {
    return `
${constants(this.g)}
const ROWS : i32 = ${this.g.batch * this.g.outH * this.g.outW};
const WEIGHTS : i32 = ${this.weights};
const CHUNK : i32 = ${this.split.chunk};
fn main() {
  _ = uniforms.outShape;
  let w = i32(workgroupId.x) * ${FLAT_GROUP} + i32(localId.x);
  let part = i32(workgroupId.y);
  if (w >= WEIGHTS) { return; }
  let q = w % MULT;
  let c = (w / MULT) % CI;
  let tap = w / (MULT * CI);
  let fy = tap / FW;
  let fx = tap - fy * FW;
  let first = part * CHUNK;
  let end = min(first + CHUNK, ROWS);
  var acc = 0.0;
  for (var m = first; m < end; m = m + 1) {
    let o = outPixel(m);
    let iy = o.y * SH + fy - PT;
    let ix = o.z * SW + fx - PL;
    if (iy >= 0 && iy < IH && ix >= 0 && ix < IW) {
      acc = acc + x[((o.x * IH + iy) * IW + ix) * CI + c] * dy[m * CO + c * MULT + q];
    }
  }
  result[part * WEIGHTS + w] = acc${this.fault.wgsl};
}`;
  }
}

export function depthwiseFilterGradPrograms(g: ConvGradGeometry): CountedProgram[] {
  const split = splitOf(g.batch * g.outH * g.outW, 64);
  const finalShape = [g.fH, g.fW, g.inC, g.mult];
  const pass1 = new DepthwiseFilterPartialProgram(g, split, finalShape);
  return split.parts === 1 ? [pass1] : [pass1, new PartialSumProgram(finalShape, split.parts)];
}

/**
 * Depthwise ∂x[b, iy, ix, c] = Σ_{fy, fx, q} dy[b, oy, ox, c·mult + q] · W[fy, fx, c, q], oy·s = iy + pt − fy:
 * one invocation per input value; its loop is the filter's taps (at most 25 here), so nothing to split.
 */
export class DepthwiseInputGradProgram extends FlatProgram implements CountedProgram {
  variableNames = ['dy', 'W'];
  serialLoop: number;
  multiplyAdds: number;

  constructor(private readonly g: ConvGradGeometry) {
    super([g.batch, g.inH, g.inW, g.inC], `fdl_depthwiseInputGrad_${geometryKey(g)}${fault().key}`);
    // The taps that can meet an output pixel: ⌈f/s⌉ per axis.
    this.serialLoop = Math.ceil(g.fH / g.strideH) * Math.ceil(g.fW / g.strideW) * g.mult;
    this.multiplyAdds = g.batch * g.outH * g.outW * g.fH * g.fW * g.inC * g.mult;
  }
  private readonly fault = fault();

  getUserCode(): string {
    return `
${constants(this.g)}
fn main(index : i32) {
  if (index >= uniforms.size) { return; }
  let c = index % CI;
  let i = inPixel(index / CI);
  let b = i.x;
  let iy = i.y;
  let ix = i.z;
  var acc = 0.0;
  // Only the taps whose output row and column exist: start at the first fy with (iy + PT − fy) % SH == 0.
  let ty0 = iy + PT;
  let tx0 = ix + PL;
  for (var fy = ty0 % SH; fy < FH; fy = fy + SH) {
    let oy = (ty0 - fy) / SH;
    if (oy < 0 || oy >= OH) { continue; }
    for (var fx = tx0 % SW; fx < FW; fx = fx + SW) {
      let ox = (tx0 - fx) / SW;
      if (ox < 0 || ox >= OW) { continue; }
      for (var q = 0; q < MULT; q = q + 1) {
        acc = acc + dy[((b * OH + oy) * OW + ox) * CO + c * MULT + q] * W[((fy * FW + fx) * CI + c) * MULT + q];
      }
    }
  }
  result[index] = acc${this.fault.wgsl};
}`;
  }
}
