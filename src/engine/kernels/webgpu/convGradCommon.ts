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

/* What every program of the convolution gradients shares: its geometry and work record, the split of a long reduction, the WGSL constants and index unpacking, and the tests' fault injection. */

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
export function fault(): { wgsl: string; key: string } {
  return faultScale === 1 ? { wgsl: '', key: '' } : { wgsl: ` * ${faultScale.toFixed(9)}`, key: `_fault${faultScale}` };
}

export const TILE = 16;
export const FLAT_GROUP = 64;
export const roundUp = (n: number, m: number) => Math.ceil(n / m) * m;

/**
 * How a reduction of `rows` is split: chunks of L (a multiple of the 16-row tile) and S = ⌈rows/L⌉
 * partials. Below `minSplit` rows one pass does it all (the second pass would cost more than it saves).
 */
export function splitOf(rows: number, minSplit = 256): { chunk: number; parts: number } {
  if (rows <= minSplit) return { chunk: roundUp(rows, TILE), parts: 1 };
  const chunk = roundUp(Math.ceil(Math.sqrt(rows)), TILE);
  return { chunk, parts: Math.ceil(rows / chunk) };
}

export const geometryKey = (g: ConvGradGeometry) =>
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
export function constants(g: ConvGradGeometry): string {
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
export const PIXELS = `
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
