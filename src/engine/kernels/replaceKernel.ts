import * as tf from '@tensorflow/tfjs';

/**
 * Puts a kernel of our own in place of a backend's, keeping the replaced one's setup (its wasm
 * function binding, run when the backend starts) so ours can hand it the calls it does not cover.
 * Returns false when the backend has no such kernel. Call before the backend starts.
 */
export function replaceKernel(
  kernelName: string,
  backendName: string,
  make: (own: tf.KernelFunc) => tf.KernelFunc,
): boolean {
  const own = tf.getKernel(kernelName, backendName);
  if (!own) return false;
  tf.unregisterKernel(kernelName, backendName);
  tf.registerKernel({ kernelName, backendName, setupFunc: own.setupFunc, kernelFunc: make(own.kernelFunc) });
  return true;
}
