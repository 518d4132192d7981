import type { ConvGradGeometry, CountedProgram } from './convGradCommon';
import { TILE, constants, fault, geometryKey, splitOf } from './convGradCommon';
import { PartialSumProgram } from './partialSumProgram';

/* The dense convolution's filter and input gradients as split GEMMs (pass 1 tiled through workgroup memory, pass 2 the partial sums). */

/**
 * C[s][r][n] = Σ over m in chunk s of A(m, r)·B(m, n): the shared pass 1 of the dense gradients.
 * A 16 × 16 workgroup computes a 16 × 16 tile of C; each step loads a 16-row slab of A and B into
 * workgroup memory (one element each per invocation) and runs 16 multiply-adds per invocation.
 */
export class SplitGemmProgram implements CountedProgram {
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

/** A dense gradient as a split GEMM: pass 1, and the partial sums' pass when the reduction is split. */
export function gemmChain(
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
