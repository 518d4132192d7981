import * as tf from '@tensorflow/tfjs';

/**
 * Convolution gradients for the wasm backend composed from its own fast kernels (XNNPACK
 * convolution, transpose, reverse), so that the heavy work runs in SIMD wasm instead of JS loops:
 *
 *   filter gradient: dW[fy, fx, ci, co] = Σ_{b,oy,ox} x[b, oy·s − p + fy, ox·s − p + fx, ci] · dy[b, oy, ox, co]
 *     for a 1×1 convolution one matrix product xᵀ·dy; for k×k a stride-1 convolution of
 *     xᵀ = x[ci, h, w, b] (batch ci, channels b) with dyᵀ = dy[oy, ox, b, co] as the filter, dilated
 *     by the forward stride s;
 *   input gradient:  dx = dy with s − 1 zeros between pixels, convolved with W rotated 180° and
 *     its in/out channels swapped ("full" padding fH − 1 − p).
 *
 * Each returns null when the geometry is outside what this composition covers (forward dilation,
 * an input larger than the convolution reads); the caller then uses the loop kernels.
 */

type Info = tf.TensorInfo;
type Backend = {
  disposeData(id: unknown): void;
  typedArrayFromHeap(t: Info): Float32Array;
  makeOutput(shape: number[], dtype: string): Info;
};
type Pad4 = [[number, number], [number, number], [number, number], [number, number]];

function run(name: string, backend: Backend, inputs: Record<string, Info>, attrs: Record<string, unknown> = {}): Info {
  const k = tf.getKernel(name, 'wasm');
  if (!k) throw new Error(`the wasm backend has no ${name} kernel`);
  return k.kernelFunc({ inputs, backend: backend, attrs: attrs as never }) as Info;
}

function conv(backend: Backend, x: Info, filter: Info, pad: Pad4, dilations: [number, number]): Info {
  return run(
    'Conv2D',
    backend,
    { x, filter },
    { strides: [1, 1], pad, dataFormat: 'NHWC', dilations, dimRoundingMode: undefined },
  );
}

export function conv2dFilterGradWasm(
  backend: Backend,
  x: Info,
  dy: Info,
  info: tf.backend_util.Conv2DInfo,
): Info | null {
  if (info.dilationHeight !== 1 || info.dilationWidth !== 1) return null;
  const pointwise =
    info.filterHeight === 1 &&
    info.filterWidth === 1 &&
    info.strideHeight === 1 &&
    info.strideWidth === 1 &&
    info.padInfo.top === 0 &&
    info.padInfo.left === 0;
  return pointwise ? pointwiseFilterGrad(backend, x, dy, info) : spatialFilterGrad(backend, x, dy, info);
}

/**
 * 1×1 stride 1: dWᵀ[co, ci] = Σ_n dyᵀ[co, n] · x[n, ci], one GEMM run as a 1×1 convolution whose
 * "image" is dyᵀ and whose "filter" is x (measured 2× faster than the dilated form below).
 */
function pointwiseFilterGrad(backend: Backend, x: Info, dy: Info, info: tf.backend_util.Conv2DInfo): Info {
  const N = info.batchSize * info.outHeight * info.outWidth,
    C = info.inChannels,
    CO = info.outChannels;
  const filter = run('Reshape', backend, { x }, { shape: [1, 1, N, C] });
  const dy2 = run('Reshape', backend, { x: dy }, { shape: [N, CO] });
  const dyT = run('Transpose', backend, { x: dy2 }, { perm: [1, 0] });
  const image = run('Reshape', backend, { x: dyT }, { shape: [1, 1, CO, N] });
  const g = conv(
    backend,
    image,
    filter,
    [
      [0, 0],
      [0, 0],
      [0, 0],
      [0, 0],
    ],
    [1, 1],
  );
  const g2 = run('Reshape', backend, { x: g }, { shape: [CO, C] });
  const gT = run('Transpose', backend, { x: g2 }, { perm: [1, 0] });
  const dW = run('Reshape', backend, { x: gT }, { shape: [1, 1, C, CO] });
  for (const t of [filter, dy2, dyT, image, g, g2, gT]) backend.disposeData(t.dataId);
  return dW;
}

/** k×k: a stride-1 convolution of xᵀ = x[ci, h, w, b] with dyᵀ = dy[oy, ox, b, co] as the filter, dilated by s. */
function spatialFilterGrad(backend: Backend, x: Info, dy: Info, info: tf.backend_util.Conv2DInfo): Info | null {
  const {
    inHeight: H,
    inWidth: W,
    outHeight: oH,
    outWidth: oW,
    filterHeight: fH,
    filterWidth: fW,
    strideHeight: sH,
    strideWidth: sW,
  } = info;
  const top = info.padInfo.top,
    left = info.padInfo.left;
  const bottom = fH + (oH - 1) * sH - H - top,
    right = fW + (oW - 1) * sW - W - left;
  if (bottom < 0 || right < 0) return null;
  const xT = run('Transpose', backend, { x }, { perm: [3, 1, 2, 0] });
  const dyT = run('Transpose', backend, { x: dy }, { perm: [1, 2, 0, 3] });
  const g = conv(
    backend,
    xT,
    dyT,
    [
      [0, 0],
      [top, bottom],
      [left, right],
      [0, 0],
    ],
    [sH, sW],
  );
  const dW = run('Transpose', backend, { x: g }, { perm: [1, 2, 0, 3] });
  for (const t of [xT, dyT, g]) backend.disposeData(t.dataId);
  return dW;
}

/** dy with (s − 1) zeros inserted between rows and columns. */
function dilate(backend: Backend, dy: Info, sH: number, sW: number): Info {
  const [B, oH, oW, C] = dy.shape;
  const dH = (oH - 1) * sH + 1,
    dW = (oW - 1) * sW + 1;
  const out = backend.makeOutput([B, dH, dW, C], 'float32');
  const src = backend.typedArrayFromHeap(dy),
    dst = backend.typedArrayFromHeap(out);
  dst.fill(0);
  for (let b = 0; b < B; b++) {
    for (let y = 0; y < oH; y++) {
      for (let x = 0; x < oW; x++) {
        const from = ((b * oH + y) * oW + x) * C;
        dst.set(src.subarray(from, from + C), ((b * dH + y * sH) * dW + x * sW) * C);
      }
    }
  }
  return out;
}

export function conv2dInputGradWasm(
  backend: Backend,
  dy: Info,
  filter: Info,
  info: tf.backend_util.Conv2DInfo,
): Info | null {
  const {
    inHeight: H,
    inWidth: W,
    outHeight: oH,
    outWidth: oW,
    filterHeight: fH,
    filterWidth: fW,
    strideHeight: sH,
    strideWidth: sW,
  } = info;
  if (info.dilationHeight !== 1 || info.dilationWidth !== 1) return null;
  const top = fH - 1 - info.padInfo.top,
    left = fW - 1 - info.padInfo.left;
  const dH = (oH - 1) * sH + 1,
    dWd = (oW - 1) * sW + 1;
  // Output rows = dH + top + bottom − fH + 1 must equal H.
  const bottom = H - dH - top + fH - 1,
    right = W - dWd - left + fW - 1;
  if (top < 0 || left < 0 || bottom < 0 || right < 0) return null;
  if (sH > 1 || sW > 1) {
    const phased = conv2dInputGradByPhase(backend, dy, filter, info);
    if (phased) return phased;
  }
  const dyD = sH === 1 && sW === 1 ? dy : dilate(backend, dy, sH, sW);
  const swapped = run('Transpose', backend, { x: filter }, { perm: [0, 1, 3, 2] });
  const rotated = run('Reverse', backend, { x: swapped }, { dims: [0, 1] });
  const dx = conv(
    backend,
    dyD,
    rotated,
    [
      [0, 0],
      [top, bottom],
      [left, right],
      [0, 0],
    ],
    [1, 1],
  );
  for (const t of [swapped, rotated]) backend.disposeData(t.dataId);
  if (dyD !== dy) backend.disposeData(dyD.dataId);
  return dx;
}

/** One axis of a strided convolution's input gradient, split by phase (see conv2dInputGradByPhase). */
interface Phase {
  taps: number[];
  first: number;
  count: number;
  padBefore: number;
  padAfter: number;
}

function phasesOf(inSize: number, outSize: number, filterSize: number, stride: number, pad: number): Phase[] | null {
  const phases: Phase[] = [];
  for (let phi = 0; phi < stride; phi++) {
    const taps: number[] = [];
    for (let f = phi; f < filterSize; f += stride) taps.push(f);
    const m0 = Math.ceil((pad - phi) / stride);
    const first = phi - pad + stride * m0;
    const count = first < inSize ? Math.ceil((inSize - first) / stride) : 0;
    const padBefore = taps.length - 1 - m0;
    const padAfter = count - outSize - padBefore + taps.length - 1;
    if (taps.length > 0 && count > 0 && (padBefore < 0 || padAfter < 0)) return null;
    phases.push({ taps: taps.reverse(), first, count, padBefore, padAfter });
  }
  return phases;
}

/**
 * Input gradient of a strided convolution without the zeros: input pixel iy only receives taps
 * fy ≡ iy + p (mod s), so each of the s×s phases of dx is a stride-1 convolution of dy with that
 * phase's taps (reversed, in/out swapped); the results are interleaved into dx. s² times less work
 * than convolving the zero-dilated dy.
 */
function conv2dInputGradByPhase(
  backend: Backend,
  dy: Info,
  filter: Info,
  info: tf.backend_util.Conv2DInfo,
): Info | null {
  const { batchSize: B, inHeight: H, inWidth: W, inChannels: CI, outChannels: CO, filterWidth: fW } = info;
  const rows = phasesOf(H, info.outHeight, info.filterHeight, info.strideHeight, info.padInfo.top);
  const cols = phasesOf(W, info.outWidth, fW, info.strideWidth, info.padInfo.left);
  if (!rows || !cols) return null;
  const dx = backend.makeOutput([B, H, W, CI], 'float32');
  backend.typedArrayFromHeap(dx).fill(0);
  for (const py of rows) {
    for (const px of cols) {
      if (py.taps.length === 0 || px.taps.length === 0 || py.count === 0 || px.count === 0) continue;
      const sub = backend.makeOutput([py.taps.length, px.taps.length, CO, CI], 'float32');
      const w = backend.typedArrayFromHeap(filter),
        v = backend.typedArrayFromHeap(sub);
      py.taps.forEach((fy, ky) =>
        px.taps.forEach((fx, kx) => {
          for (let ci = 0; ci < CI; ci++) {
            for (let co = 0; co < CO; co++)
              v[((ky * px.taps.length + kx) * CO + co) * CI + ci] = w[((fy * fW + fx) * CI + ci) * CO + co];
          }
        }),
      );
      const part = conv(
        backend,
        dy,
        sub,
        [
          [0, 0],
          [py.padBefore, py.padAfter],
          [px.padBefore, px.padAfter],
          [0, 0],
        ],
        [1, 1],
      );
      const src = backend.typedArrayFromHeap(part),
        dst = backend.typedArrayFromHeap(dx);
      const sH = info.strideHeight,
        sW = info.strideWidth;
      for (let b = 0; b < B; b++) {
        for (let t = 0; t < py.count; t++) {
          for (let u = 0; u < px.count; u++) {
            const from = ((b * py.count + t) * px.count + u) * CI;
            dst.set(src.subarray(from, from + CI), ((b * H + py.first + t * sH) * W + px.first + u * sW) * CI);
          }
        }
      }
      for (const t of [sub, part]) backend.disposeData(t.dataId);
    }
  }
  return dx;
}

/**
 * Depthwise input gradient (channel multiplier 1): the same "full" convolution as above, but
 * depthwise, so XNNPACK's depthwise kernels do the work.
 */
export function depthwiseInputGradWasm(
  backend: Backend,
  dy: Info,
  filter: Info,
  info: tf.backend_util.Conv2DInfo,
): Info | null {
  const {
    inHeight: H,
    inWidth: W,
    outHeight: oH,
    outWidth: oW,
    filterHeight: fH,
    filterWidth: fW,
    strideHeight: sH,
    strideWidth: sW,
  } = info;
  if (filter.shape[3] !== 1 || info.dilationHeight !== 1 || info.dilationWidth !== 1) return null;
  const top = fH - 1 - info.padInfo.top,
    left = fW - 1 - info.padInfo.left;
  const dH = (oH - 1) * sH + 1,
    dWd = (oW - 1) * sW + 1;
  const bottom = H - dH - top + fH - 1,
    right = W - dWd - left + fW - 1;
  if (top < 0 || left < 0 || bottom < 0 || right < 0) return null;
  const dyD = sH === 1 && sW === 1 ? dy : dilate(backend, dy, sH, sW);
  const rotated = run('Reverse', backend, { x: filter }, { dims: [0, 1] });
  const dx = run(
    'DepthwiseConv2dNative',
    backend,
    { x: dyD, filter: rotated },
    {
      strides: [1, 1],
      pad: [
        [0, 0],
        [top, bottom],
        [left, right],
        [0, 0],
      ],
      dataFormat: 'NHWC',
      dilations: [1, 1],
      dimRoundingMode: undefined,
    },
  );
  backend.disposeData(rotated.dataId);
  if (dyD !== dy) backend.disposeData(dyD.dataId);
  return dx;
}
