import { setFlagsFromString } from 'node:v8';

/**
 * Node before 22 (V8 11.3 in Node 20) validates relaxed SIMD — the fused multiply-add the convolution
 * kernels use where they can — only behind a flag; Node 22 and Chrome ≥ 114 ship it. Setting the flag
 * before the first module is compiled turns it on for this process (a command-line flag would stop
 * newer Node versions, which no longer know it). Call before the wasm backend starts.
 */
export function enableRelaxedSimd(): void {
  if (Number(process.versions.node.split('.')[0]) < 22) setFlagsFromString('--experimental-wasm-relaxed-simd');
}
