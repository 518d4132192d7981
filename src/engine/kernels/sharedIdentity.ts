import type * as tf from '@tensorflow/tfjs';
import { fusedOpsChosen } from './fusedKernels';
import { replaceKernel } from './replaceKernel';

/**
 * Identity on the wasm backend without a copy. tfjs-wasm's own Identity copies the buffer, and the
 * engine calls it for every tensor a gradient keeps for the backward pass (saveTensorsForBackward):
 * 300+ copies of full activations per lab-teacher step, 6% of it. Tensor data is never written after
 * it is made (a variable's assign points it at new data), so a clone may share its input's memory
 * and hold a reference, as tfjs's cpu and webgl backends already do.
 */

interface RefCounting {
  incRef(dataId: unknown): void;
}

let registered = false;

/** Idempotent; call before the wasm backend starts. */
export function registerSharedIdentity(): void {
  if (registered) return;
  registered = replaceKernel('Identity', 'wasm', (own) => (args) => {
    const x = (args.inputs as { x: tf.TensorInfo }).x;
    if (x.dtype === 'string') return own(args);
    (args.backend as unknown as RefCounting).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  });
  // A cast to the dtype the tensor has is an identity too: tfjs's Multiply gradient casts both inputs
  // to float32 (208 full copies a lab-teacher step). With the fused ops, as part of their cut in per-op cost.
  replaceKernel('Cast', 'wasm', (own) => (args) => {
    const x = (args.inputs as { x: tf.TensorInfo }).x;
    if (x.dtype !== (args.attrs as { dtype: string }).dtype || x.dtype === 'string' || !fusedOpsChosen())
      return own(args);
    (args.backend as unknown as RefCounting).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  });
}
