import * as tf from '@tensorflow/tfjs';
import { fusedOpsActive } from '../kernels/fusedKernels';
import { batchNormTraining, channelScale, fusedOpsHere, swish } from '../kernels/fusedOps';

/**
 * tfjs-layers' swish activation, batch normalisation and multiply layer, running the fused ops
 * (kernels/fusedOps.ts) where they apply and tfjs's own code everywhere else. Each keeps tfjs's class
 * name, config and weights and is registered under that name, so that a model saves exactly as before
 * and a saved model — the lab's teachers included — loads into these.
 */

type LayerArgs = Record<string, unknown>;
type Kwargs = Record<string, unknown>;
type LayerCtor<T> = new (args: LayerArgs) => T;

/** The class behind a layer factory (tfjs-layers exports the factories, not the classes). */
function classOf<T extends object>(probe: T): LayerCtor<T> {
  return probe.constructor as LayerCtor<T>;
}

/** x·σ(x): tfjs-layers' Swish (its alpha other than 1 keeps tfjs's own formula). */
export class FusedSwish extends tf.serialization.Serializable {
  static readonly className = 'swish';
  apply(x: tf.Tensor, alpha = 1): tf.Tensor {
    return alpha === 1 ? swish(x) : tf.tidy(() => tf.mul(tf.sigmoid(tf.mul(x, alpha)), x));
  }
  getConfig(): tf.serialization.ConfigDict {
    return {};
  }
}

// A name given, so the probes take no auto-generated layer name from the models built after them.
const BatchNormalizationBase = classOf(tf.layers.batchNormalization({ name: 'fused_layers_probe_bn' }));
const MultiplyBase = classOf(tf.layers.multiply({ name: 'fused_layers_probe_multiply' }));

interface Weight {
  read(): tf.Tensor;
  write(value: tf.Tensor): void;
}

/** What BatchNormalization keeps private, and its training path needs. */
interface BatchNormState {
  axis: number;
  momentum: number;
  epsilon: number;
  gamma?: Weight;
  beta?: Weight;
  movingMean: Weight;
  movingVariance: Weight;
}

/**
 * tfjs-layers' moving average, orig − (orig − value)·(1 − momentum), rounded to float32 after each
 * operation as its three ops round it (a float32 operation is the float64 one rounded once).
 */
export function movingAverage(orig: Float32Array, value: Float32Array, momentum: number): Float32Array {
  const decay = Math.fround(1 - momentum);
  return orig.map((o, i) => o - Math.fround(Math.fround(o - value[i]) * decay));
}

/** tfjs's BatchNormalization; in training over every axis but the last, where the fused ops run, the fused op. */
export class FusedBatchNormalization extends BatchNormalizationBase {
  static readonly className = 'BatchNormalization';
  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor | tf.Tensor[] {
    const s = this as unknown as BatchNormState;
    const input = Array.isArray(inputs) ? inputs[0] : inputs;
    const axis = s.axis >= 0 ? s.axis : s.axis + input.rank;
    // Elsewhere (another backend, the fused ops off) tfjs's own code, untouched: the path below reads
    // the statistics back synchronously, which only the wasm heap does for free.
    if (!kwargs.training || axis !== input.rank - 1 || !s.gamma || !s.beta || !fusedOpsHere())
      return super.call(inputs, kwargs);
    return tf.tidy(() => {
      const [normed, mean, variance] = batchNormTraining(input, s.gamma!.read(), s.beta!.read(), s.epsilon);
      if (!fusedOpsActive()) {
        // WebGPU: each moving average one program on the GPU (a read back would wait for the GPU).
        for (const [variable, value] of [
          [s.movingMean, mean],
          [s.movingVariance, variance],
        ] as const)
          variable.write(
            tf.engine().runKernel('LabMovingAverage', { orig: variable.read(), value }, {
              momentum: s.momentum,
            } as unknown as tf.NamedAttrMap) as tf.Tensor,
          );
        return normed;
      }
      // The moving averages from the [C] values on the wasm heap (a synchronous read there): two writes
      // instead of six ops with their tidy and tape work per layer, the same bits.
      for (const [variable, value] of [
        [s.movingMean, mean],
        [s.movingVariance, variance],
      ] as const) {
        const orig = variable.read();
        variable.write(
          tf.tensor(
            movingAverage(orig.dataSync() as Float32Array, value.dataSync() as Float32Array, s.momentum),
            orig.shape,
          ),
        );
      }
      return normed;
    });
  }
}

/** tfjs's Multiply; squeeze-and-excitation's x [B, H, W, C] · s [B, 1, 1, C] as one op. */
export class FusedMultiply extends MultiplyBase {
  static readonly className = 'Multiply';
  override mergeFunction(inputs: tf.Tensor[]): tf.Tensor {
    if (inputs.length === 2 && fusedOpsHere()) return channelScale(inputs[0], inputs[1]);
    return super.mergeFunction(inputs);
  }
}

for (const cls of [FusedSwish, FusedBatchNormalization, FusedMultiply])
  tf.serialization.registerClass(
    cls as unknown as tf.serialization.SerializableConstructor<tf.serialization.Serializable>,
  );

export const batchNormalization = (args: LayerArgs) => new FusedBatchNormalization(args);
export const multiply = (args: LayerArgs) => new FusedMultiply(args);
