/**
 * Convolution gradients as tight loops over NHWC typed arrays. tfjs's cpu backend computes these
 * through TensorBuffer.get() per element (≈96% of a training step) and the wasm backend has no
 * kernel for them at all; these loops serve both (see convGradKernels.ts).
 */

export interface ConvGeometry {
  batch: number;
  inH: number;
  inW: number;
  inC: number;
  outH: number;
  outW: number;
  outC: number;
  fH: number;
  fW: number;
  strideH: number;
  strideW: number;
  dilH: number;
  dilW: number;
  padTop: number;
  padLeft: number;
}

/** A convolution's geometry as tfjs computes it (computeConv2DInfo), in the loops' terms. */
export function convGeometryOf(info: {
  batchSize: number;
  inHeight: number;
  inWidth: number;
  inChannels: number;
  outHeight: number;
  outWidth: number;
  outChannels: number;
  filterHeight: number;
  filterWidth: number;
  strideHeight: number;
  strideWidth: number;
  dilationHeight: number;
  dilationWidth: number;
  padInfo: { top: number; left: number };
}): ConvGeometry {
  return {
    batch: info.batchSize,
    inH: info.inHeight,
    inW: info.inWidth,
    inC: info.inChannels,
    outH: info.outHeight,
    outW: info.outWidth,
    outC: info.outChannels,
    fH: info.filterHeight,
    fW: info.filterWidth,
    strideH: info.strideHeight,
    strideW: info.strideWidth,
    dilH: info.dilationHeight,
    dilW: info.dilationWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
  };
}

/** dW[fh, fw, inC, outC] = Σ x[b, oy·s − pad + fh·d, ox·s − pad + fw·d, ci] · dy[b, oy, ox, co]. */
export function conv2dFilterGrad(x: Float32Array, dy: Float32Array, g: ConvGeometry): Float32Array {
  const { batch, inH, inW, inC, outH, outW, outC, fH, fW, strideH, strideW, dilH, dilW, padTop, padLeft } = g;
  const dW = new Float32Array(fH * fW * inC * outC);
  for (let b = 0; b < batch; b++) {
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        const dyOff = ((b * outH + oy) * outW + ox) * outC;
        for (let fy = 0; fy < fH; fy++) {
          const iy = oy * strideH - padTop + fy * dilH;
          if (iy < 0 || iy >= inH) continue;
          for (let fx = 0; fx < fW; fx++) {
            const ix = ox * strideW - padLeft + fx * dilW;
            if (ix < 0 || ix >= inW) continue;
            const xOff = ((b * inH + iy) * inW + ix) * inC;
            const wOff = (fy * fW + fx) * inC * outC;
            for (let ci = 0; ci < inC; ci++) {
              const xv = x[xOff + ci];
              if (xv === 0) continue;
              const row = wOff + ci * outC;
              for (let co = 0; co < outC; co++) dW[row + co] += xv * dy[dyOff + co];
            }
          }
        }
      }
    }
  }
  return dW;
}

/** Depthwise: dW[fh, fw, c, m] = Σ x[b, iy, ix, c] · dy[b, oy, ox, c·M + m]. */
export function depthwiseFilterGrad(
  x: Float32Array,
  dy: Float32Array,
  g: ConvGeometry,
  multiplier: number,
): Float32Array {
  const { batch, inH, inW, inC, outH, outW, fH, fW, strideH, strideW, dilH, dilW, padTop, padLeft } = g;
  const outC = inC * multiplier;
  const dW = new Float32Array(fH * fW * outC);
  for (let b = 0; b < batch; b++) {
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        const dyOff = ((b * outH + oy) * outW + ox) * outC;
        for (let fy = 0; fy < fH; fy++) {
          const iy = oy * strideH - padTop + fy * dilH;
          if (iy < 0 || iy >= inH) continue;
          for (let fx = 0; fx < fW; fx++) {
            const ix = ox * strideW - padLeft + fx * dilW;
            if (ix < 0 || ix >= inW) continue;
            const xOff = ((b * inH + iy) * inW + ix) * inC;
            const wOff = (fy * fW + fx) * outC;
            if (multiplier === 1) {
              for (let c = 0; c < inC; c++) dW[wOff + c] += x[xOff + c] * dy[dyOff + c];
            } else {
              for (let c = 0; c < inC; c++) {
                const xv = x[xOff + c];
                for (let m = 0; m < multiplier; m++)
                  dW[wOff + c * multiplier + m] += xv * dy[dyOff + c * multiplier + m];
              }
            }
          }
        }
      }
    }
  }
  return dW;
}

/** Depthwise: dx[b, iy, ix, c] = Σ dy[b, oy, ox, c·M + m] · W[fh, fw, c, m] (scattered from each output). */
export function depthwiseInputGrad(
  dy: Float32Array,
  w: Float32Array,
  g: ConvGeometry,
  multiplier: number,
): Float32Array {
  const { batch, inH, inW, inC, outH, outW, fH, fW, strideH, strideW, dilH, dilW, padTop, padLeft } = g;
  const outC = inC * multiplier;
  const dx = new Float32Array(batch * inH * inW * inC);
  for (let b = 0; b < batch; b++) {
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        const dyOff = ((b * outH + oy) * outW + ox) * outC;
        for (let fy = 0; fy < fH; fy++) {
          const iy = oy * strideH - padTop + fy * dilH;
          if (iy < 0 || iy >= inH) continue;
          for (let fx = 0; fx < fW; fx++) {
            const ix = ox * strideW - padLeft + fx * dilW;
            if (ix < 0 || ix >= inW) continue;
            const xOff = ((b * inH + iy) * inW + ix) * inC;
            const wOff = (fy * fW + fx) * outC;
            if (multiplier === 1) {
              for (let c = 0; c < inC; c++) dx[xOff + c] += dy[dyOff + c] * w[wOff + c];
            } else {
              for (let c = 0; c < inC; c++) {
                let s = 0;
                for (let m = 0; m < multiplier; m++) s += dy[dyOff + c * multiplier + m] * w[wOff + c * multiplier + m];
                dx[xOff + c] += s;
              }
            }
          }
        }
      }
    }
  }
  return dx;
}
