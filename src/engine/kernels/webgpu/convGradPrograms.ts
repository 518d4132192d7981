import type { WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import type { ConvGeometry } from '../convGradLoops';

/**
 * The lab's own WebGPU programs for the convolution gradients (NHWC, dilation 1), shaped for a GPU:
 * tfjs-backend-webgpu 4.22 starts one invocation per filter weight for the filter gradients, each
 * looping over batch × output pixels (65,536 dependent multiply-adds on the lab teacher's first
 * stage). Here the long reduction is split across workgroups (split-K): pass 1 writes S partial sums,
 * each over a chunk of L rows, tiled 16 × 16 × 16 through workgroup memory; pass 2 adds the S partials.
 * L ≈ √(rows) balances the two passes' loops, so the longest loop of a dispatch grows as √, not linearly.
 *
 * Each program states its own work from the same constants its shader is built from: `invocations`
 * (workgroups × workgroup size), `serialLoop` (the multiply-adds one invocation runs in sequence) and
 * `multiplyAdds` (the dispatch's useful work) — the bench's `webgpuWork` table reads them.
 *
 * Geometry is baked into each shader as constants (one pipeline per convolution shape, compiled once),
 * so the divisions that unpack indices are by constants.
 */

/** A convolution's geometry (convGradLoops.ts) and, for depthwise ones, output channels per input channel. */
export type ConvGradGeometry = ConvGeometry & { mult: number };

export interface DispatchWork {
  invocations: number;
  serialLoop: number;
  multiplyAdds: number;
}

/** A program whose work is known from its own bounds. */
export interface CountedProgram extends WebGPUProgram, DispatchWork {}

/** Tests only: scales what pass 1 writes, to prove the checks catch a kernel that is slightly wrong. */
let faultScale = 1;
export function injectWebgpuGradFault(scale: number): void {
  faultScale = scale;
}
/** The WGSL factor a result is written with (1 but in that test), and its part of the shader key. */
function fault(): { wgsl: string; key: string } {
  return faultScale === 1 ? { wgsl: '', key: '' } : { wgsl: ` * ${faultScale.toFixed(9)}`, key: `_fault${faultScale}` };
}

const TILE = 16;
const FLAT_GROUP = 64;
const roundUp = (n: number, m: number) => Math.ceil(n / m) * m;

/**
 * How a reduction of `rows` is split: chunks of L (a multiple of the 16-row tile) and S = ⌈rows/L⌉
 * partials. Below `minSplit` rows one pass does it all (the second pass would cost more than it saves).
 */
export function splitOf(rows: number, minSplit = 256): { chunk: number; parts: number } {
  if (rows <= minSplit) return { chunk: roundUp(rows, TILE), parts: 1 };
  const chunk = roundUp(Math.ceil(Math.sqrt(rows)), TILE);
  return { chunk, parts: Math.ceil(rows / chunk) };
}

const geometryKey = (g: ConvGradGeometry) =>
  [
    g.batch,
    g.inH,
    g.inW,
    g.inC,
    g.outH,
    g.outW,
    g.outC,
    g.fH,
    g.fW,
    g.strideH,
    g.strideW,
    g.padTop,
    g.padLeft,
    g.mult,
  ].join('_');

/** WGSL constants for a geometry (i32). */
function constants(g: ConvGradGeometry): string {
  const c: Record<string, number> = {
    B: g.batch,
    IH: g.inH,
    IW: g.inW,
    CI: g.inC,
    OH: g.outH,
    OW: g.outW,
    CO: g.outC,
    FH: g.fH,
    FW: g.fW,
    SH: g.strideH,
    SW: g.strideW,
    PT: g.padTop,
    PL: g.padLeft,
    MULT: g.mult,
  };
  return `${Object.entries(c)
    .map(([k, v]) => `const ${k} : i32 = ${v};`)
    .join('\n')}
${PIXELS}`;
}

/** Flat output-pixel (b, oy, ox) and input-pixel (b, iy, ix) indices unpacked, for every program. */
const PIXELS = `
fn outPixel(m : i32) -> vec3<i32> {
  let b = m / (OH * OW);
  let p = m - b * OH * OW;
  let y = p / OW;
  return vec3<i32>(b, y, p - y * OW);
}
fn inPixel(r : i32) -> vec3<i32> {
  let b = r / (IH * IW);
  let p = r - b * IH * IW;
  let y = p / IW;
  return vec3<i32>(b, y, p - y * IW);
}`;

/**
 * C[s][r][n] = Σ over m in chunk s of A(m, r)·B(m, n): the shared pass 1 of the dense gradients.
 * A 16 × 16 workgroup computes a 16 × 16 tile of C; each step loads a 16-row slab of A and B into
 * workgroup memory (one element each per invocation) and runs 16 multiply-adds per invocation.
 */
class SplitGemmProgram implements CountedProgram {
  variableNames: string[];
  outputShape: number[];
  shaderKey: string;
  dispatchLayout = { x: [2], y: [1], z: [0] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = [TILE, TILE, 1];
  invocations: number;
  serialLoop: number;
  multiplyAdds: number;

  constructor(
    name: string,
    inputs: [string, string],
    private readonly g: ConvGradGeometry,
    private readonly dims: { rows: number; outRows: number; outCols: number },
    private readonly split: { chunk: number; parts: number },
    finalShape: number[],
    private readonly loaders: string,
  ) {
    this.variableNames = inputs;
    const { outRows, outCols, rows } = dims;
    this.outputShape = split.parts === 1 ? finalShape : [split.parts, outRows, outCols];
    this.dispatch = [Math.ceil(outCols / TILE), Math.ceil(outRows / TILE), split.parts];
    this.invocations = this.dispatch[0] * this.dispatch[1] * this.dispatch[2] * TILE * TILE;
    this.serialLoop = split.chunk;
    this.multiplyAdds = rows * outRows * outCols;
    this.shaderKey = `fdl_${name}_${geometryKey(g)}_${split.chunk}_${split.parts}${this.fault.key}`;
  }
  private readonly fault = fault();

  getUserCode(): string {
    const { rows, outRows, outCols } = this.dims;
    return `
${constants(this.g)}
const ROWS : i32 = ${rows};
const OUT_ROWS : i32 = ${outRows};
const OUT_COLS : i32 = ${outCols};
const CHUNK : i32 = ${this.split.chunk};
var<workgroup> tileA : array<array<f32, ${TILE}>, ${TILE}>;
var<workgroup> tileB : array<array<f32, ${TILE}>, ${TILE}>;
${this.loaders}
fn main() {
  // Uniforms unused here, but tfjs binds them: a static use keeps them in the pipeline's layout.
  _ = uniforms.outShape;
  let lx = i32(localId.x);
  let ly = i32(localId.y);
  let col = i32(workgroupId.x) * ${TILE} + lx;
  let row = i32(workgroupId.y) * ${TILE} + ly;
  let rowLoaded = i32(workgroupId.y) * ${TILE} + lx;
  let part = i32(workgroupId.z);
  let first = part * CHUNK;
  let end = min(first + CHUNK, ROWS);
  var acc = 0.0;
  // A constant trip count keeps the barriers in uniform control flow.
  for (var k0 = 0; k0 < CHUNK; k0 = k0 + ${TILE}) {
    let m = first + k0 + ly;
    var a = 0.0;
    var b = 0.0;
    if (m < end) {
      if (rowLoaded < OUT_ROWS) { a = loadA(m, rowLoaded); }
      if (col < OUT_COLS) { b = loadB(m, col); }
    }
    tileA[ly][lx] = a;
    tileB[ly][lx] = b;
    workgroupBarrier();
    for (var kk = 0; kk < ${TILE}; kk = kk + 1) {
      acc = acc + tileA[kk][ly] * tileB[kk][lx];
    }
    workgroupBarrier();
  }
  if (row < OUT_ROWS && col < OUT_COLS) {
    result[(part * OUT_ROWS + row) * OUT_COLS + col] = acc${this.fault.wgsl};
  }
}`;
  }
}

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

/** A dense gradient as a split GEMM: pass 1, and the partial sums' pass when the reduction is split. */
function gemmChain(
  name: string,
  inputs: [string, string],
  g: ConvGradGeometry,
  dims: { rows: number; outRows: number; outCols: number },
  finalShape: number[],
  loaders: string,
): CountedProgram[] {
  const split = splitOf(dims.rows);
  const pass1 = new SplitGemmProgram(name, inputs, g, dims, split, finalShape, loaders);
  return split.parts === 1 ? [pass1] : [pass1, new PartialSumProgram(finalShape, split.parts)];
}

/** ∂W[fy, fx, c, o] = Σ_{b, oy, ox} x[b, oy·s + fy − pt, ox·s + fx − pl, c] · dy[b, oy, ox, o]. */
export function conv2dFilterGradPrograms(g: ConvGradGeometry): CountedProgram[] {
  const rows = g.batch * g.outH * g.outW;
  const finalShape = [g.fH, g.fW, g.inC, g.outC];
  const loaders = `
fn loadA(m : i32, r : i32) -> f32 {
  let o = outPixel(m);
  let b = o.x;
  let oy = o.y;
  let ox = o.z;
  let tap = r / CI;
  let c = r - tap * CI;
  let fy = tap / FW;
  let fx = tap - fy * FW;
  let iy = oy * SH + fy - PT;
  let ix = ox * SW + fx - PL;
  if (iy < 0 || iy >= IH || ix < 0 || ix >= IW) { return 0.0; }
  return x[((b * IH + iy) * IW + ix) * CI + c];
}
fn loadB(m : i32, n : i32) -> f32 { return dy[m * CO + n]; }`;
  return gemmChain(
    'conv2dFilterGrad',
    ['x', 'dy'],
    g,
    { rows, outRows: g.fH * g.fW * g.inC, outCols: g.outC },
    finalShape,
    loaders,
  );
}

/**
 * ∂x[b, iy, ix, c] = Σ_{fy, fx, o} dy[b, oy, ox, o] · W[fy, fx, c, o] where oy·s = iy + pt − fy: a GEMM
 * of the gathered dy (rows: input pixels) with W (columns: input channels), over fy × fx × o.
 */
export function conv2dInputGradPrograms(g: ConvGradGeometry): CountedProgram[] {
  const rows = g.fH * g.fW * g.outC;
  const finalShape = [g.batch, g.inH, g.inW, g.inC];
  const loaders = `
fn loadA(m : i32, r : i32) -> f32 {
  let tap = m / CO;
  let o = m - tap * CO;
  let fy = tap / FW;
  let fx = tap - fy * FW;
  let i = inPixel(r);
  let b = i.x;
  let ty = i.y + PT - fy;
  let tx = i.z + PL - fx;
  if (ty < 0 || tx < 0 || ty % SH != 0 || tx % SW != 0) { return 0.0; }
  let oy = ty / SH;
  let ox = tx / SW;
  if (oy >= OH || ox >= OW) { return 0.0; }
  return dy[((b * OH + oy) * OW + ox) * CO + o];
}
fn loadB(m : i32, n : i32) -> f32 {
  let tap = m / CO;
  let o = m - tap * CO;
  return W[(tap * CI + n) * CO + o];
}`;
  return gemmChain(
    'conv2dInputGrad',
    ['dy', 'W'],
    g,
    { rows, outRows: g.batch * g.inH * g.inW, outCols: g.inC },
    finalShape,
    loaders,
  );
}

/**
 * Depthwise ∂W[fy, fx, c, q] = Σ_{b, oy, ox} x[b, iy, ix, c] · dy[b, oy, ox, c·mult + q], the pixels split
 * into S chunks (pass 1: one invocation per weight and chunk), then summed (pass 2).
 */
class DepthwiseFilterPartialProgram implements CountedProgram {
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
export class DepthwiseInputGradProgram implements CountedProgram {
  variableNames = ['dy', 'W'];
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = [FLAT_GROUP, 1, 1];
  size = true;
  invocations: number;
  serialLoop: number;
  multiplyAdds: number;

  constructor(private readonly g: ConvGradGeometry) {
    this.outputShape = [g.batch, g.inH, g.inW, g.inC];
    const size = g.batch * g.inH * g.inW * g.inC;
    this.dispatchLayout = { x: [0, 1, 2, 3] };
    this.dispatch = [Math.ceil(size / FLAT_GROUP), 1, 1];
    this.invocations = this.dispatch[0] * FLAT_GROUP;
    // The taps that can meet an output pixel: ⌈f/s⌉ per axis.
    this.serialLoop = Math.ceil(g.fH / g.strideH) * Math.ceil(g.fW / g.strideW) * g.mult;
    this.multiplyAdds = g.batch * g.outH * g.outW * g.fH * g.fW * g.inC * g.mult;
    this.shaderKey = `fdl_depthwiseInputGrad_${geometryKey(g)}${this.fault.key}`;
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
