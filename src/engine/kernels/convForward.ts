import * as tf from '@tensorflow/tfjs';
import { conv2dSimd } from './convGradSimd';
import { replaceKernel } from './replaceKernel';

/**
 * The wasm backend's forward convolutions (Conv2D, and FusedConv2D without bias or activation —
 * how the models' convolutions run, batch norm following) on the project's SIMD kernel, 1.1–1.6×
 * XNNPACK's alone here (a few percent of a training step); every other call goes on to XNNPACK.
 */

type Conv4 = [number, number, number, number];

/** How often each forward kernel ran on the SIMD kernel or the backend's own: tests read it. */
export const convForwardCounts = {
  Conv2D: { simd: 0, own: 0 },
  FusedConv2D: { simd: 0, own: 0 },
};

function info(x: tf.TensorInfo, filter: tf.TensorInfo, attrs: Record<string, unknown>) {
  return tf.backend_util.computeConv2DInfo(
    x.shape as Conv4,
    filter.shape as Conv4,
    attrs.strides as [number, number],
    (attrs.dilations ?? 1) as [number, number],
    attrs.pad as 'same',
    attrs.dimRoundingMode as 'floor' | undefined,
  );
}

let registered = false;

/** Idempotent; call before the wasm backend starts (the replaced kernels' setup runs then). */
export function registerSimdConvForward(): void {
  if (registered) return;
  for (const kind of ['Conv2D', 'FusedConv2D'] as const) {
    replaceKernel(kind, 'wasm', (own) => (args) => {
      const a = args.attrs as Record<string, unknown>;
      const { x, filter, bias, preluActivationWeights } = args.inputs as Record<string, tf.TensorInfo | undefined>;
      const plain =
        (a.dataFormat === undefined || a.dataFormat === 'NHWC') &&
        (kind === 'Conv2D' || (!bias && !preluActivationWeights && (a.activation ?? 'linear') === 'linear'));
      const out = plain && x && filter ? conv2dSimd(args.backend, x, filter, info(x, filter, a)) : null;
      convForwardCounts[kind][out ? 'simd' : 'own']++;
      return out ?? own(args);
    });
  }
  registered = true;
}
