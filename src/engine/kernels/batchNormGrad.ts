import * as tf from '@tensorflow/tfjs';

/**
 * The gradient of FusedBatchNorm without tfjs's tile(): tfjs 4.22 tiles 1/√(var + ε) to the full
 * activation shape before multiplying, and computes (x − mean)·dy·scale for every input whether or
 * not it is asked for. On wasm the Tile alone was a third of a training step of the lab teacher.
 * The same formulas, with broadcasting and shared partial sums:
 *   k = scale / √(var + ε)
 *   ∂x = dy·k        ∂offset = Σ dy        ∂mean = −k·Σ dy
 *   ∂scale = Σ dy·(x − mean) / √(var + ε)  ∂var = −½·scale·(var + ε)^(−3/2)·Σ dy·(x − mean)
 * (Σ over every axis but the channel axis; for a mean of full rank there is nothing to sum.)
 */

type Saved = [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor | undefined];

export const batchNormGradConfig: tf.GradConfig = {
  kernelName: 'FusedBatchNorm',
  inputsToSave: ['x', 'mean', 'variance', 'scale'],
  gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: tf.NamedAttrMap) => {
    const g = dy as tf.Tensor;
    const [x, mean, variance, scale] = saved as Saved;
    const eps = (attrs as unknown as { varianceEpsilon: number }).varianceEpsilon;
    const axes = tf.backend_util.getReductionAxes(mean.shape, x.shape);
    const reduce = (t: tf.Tensor) => (axes.length > 0 ? tf.sum(t, axes) : t);
    const inv = tf.rsqrt(tf.add(variance, eps));
    const k = scale ? tf.mul(scale, inv) : inv;
    // Computed once here, not inside the lazy closures: the engine disposes what each closure
    // creates when it returns, so a sum shared between two closures must live in this scope.
    const sumDy = reduce(g);
    const sumDyCentered = reduce(tf.mul(g, tf.sub(x, mean)));
    return {
      x: () => tf.mul(g, k),
      mean: () => tf.reshape(tf.neg(tf.mul(k, sumDy)), mean.shape),
      variance: () => tf.reshape(tf.mul(tf.mul(tf.mul(k, tf.square(inv)), -0.5), sumDyCentered), mean.shape),
      scale: () => tf.reshape(tf.mul(inv, sumDyCentered), mean.shape),
      offset: () => tf.reshape(sumDy, mean.shape),
    };
  },
};

let registered = false;

/** Replaces tfjs's own FusedBatchNorm gradient (same values, no Tile). Idempotent. */
export function registerBatchNormGrad(): void {
  if (registered) return;
  tf.registerGradient(batchNormGradConfig);
  registered = true;
}
