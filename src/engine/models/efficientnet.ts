import * as tf from '@tensorflow/tfjs';

/**
 * EfficientNet-style classifiers (Tan & Le 2019): MBConv blocks with squeeze-excitation and
 * swish, scaled by width and depth multipliers. Every model has two outputs, [logits, embedding],
 * because the distillation methods read both (RKD and KD++ work on the penultimate embedding).
 */

export {
  MODEL_PRESETS,
  modelPreset,
  roundFilters,
  roundRepeats,
  type ArchSpec,
  type ModelPreset,
  type StageSpec,
} from './architectures';
import { roundFilters, roundRepeats } from './architectures';
import type { ModelPreset } from './architectures';
// Swish, batch norm and the SE scaling run as fused ops where they can (the classes keep tfjs's names).
import { batchNormalization, multiply } from './fusedLayers';
import { buildTorchvisionEfficientNet, type TorchKey } from './torchvisionEfficientNet';

export interface BuildOptions {
  inputSize: number;
  classes: number;
  seed: number;
  name: string;
}

/** The state_dict keys of the torchvision models buildModel made, for loading weight files into them. */
const torchKeys = new WeakMap<tf.LayersModel, TorchKey[]>();
export const torchKeysOf = (model: tf.LayersModel): TorchKey[] | undefined => torchKeys.get(model);

export function buildModel(preset: ModelPreset, opts: BuildOptions): tf.LayersModel {
  if (preset.torchvision) {
    const built = buildTorchvisionEfficientNet(preset.torchvision, { ...opts, imagenetInput: true });
    torchKeys.set(built.model, built.keys);
    return built.model;
  }
  const { arch, width, depth } = preset;
  let seed = opts.seed >>> 0;
  // Each kernel gets its own seed so the whole model is reproducible.
  const init = () => tf.initializers.heNormal({ seed: seed++ });
  const dense = () => tf.initializers.glorotUniform({ seed: seed++ });
  const n = opts.name;
  let layerIndex = 0;
  const name = (kind: string) => `${n}_${kind}${layerIndex++}`;

  const conv = (
    x: tf.SymbolicTensor,
    filters: number,
    kernel: number,
    stride: number,
    activation?: 'swish' | 'sigmoid',
    useBias = false,
  ) =>
    tf.layers
      .conv2d({
        filters,
        kernelSize: kernel,
        strides: stride,
        padding: 'same',
        useBias,
        activation,
        kernelInitializer: init(),
        name: name('conv'),
      })
      .apply(x) as tf.SymbolicTensor;
  const bn = (x: tf.SymbolicTensor) =>
    batchNormalization({ momentum: 0.9, epsilon: 1e-3, name: name('bn') }).apply(x) as tf.SymbolicTensor;
  const swish = (x: tf.SymbolicTensor) =>
    tf.layers.activation({ activation: 'swish', name: name('swish') }).apply(x) as tf.SymbolicTensor;

  const input = tf.input({ shape: [opts.inputSize, opts.inputSize, 3], name: `${n}_image` });
  let x = swish(bn(conv(input, roundFilters(arch.stem, width), 3, arch.stemStride)));

  for (const stage of arch.stages) {
    const out = roundFilters(stage.channels, width);
    const repeats = roundRepeats(stage.repeats, depth);
    for (let r = 0; r < repeats; r++) {
      const stride = r === 0 ? stage.stride : 1;
      const inCh = x.shape[3] as number;
      const mid = inCh * stage.expand;
      let h = x;
      if (stage.expand !== 1) h = swish(bn(conv(h, mid, 1, 1)));
      h = tf.layers
        .depthwiseConv2d({
          kernelSize: stage.kernel,
          strides: stride,
          padding: 'same',
          useBias: false,
          depthwiseInitializer: init(),
          name: name('dw'),
        })
        .apply(h) as tf.SymbolicTensor;
      h = swish(bn(h));
      // Squeeze-excitation: a per-channel gate from the block's global average.
      const squeezed = Math.max(1, Math.floor(inCh * 0.25));
      let s = tf.layers.globalAveragePooling2d({ name: name('se_pool') }).apply(h) as tf.SymbolicTensor;
      s = tf.layers.reshape({ targetShape: [1, 1, mid], name: name('se_reshape') }).apply(s) as tf.SymbolicTensor;
      s = conv(s, squeezed, 1, 1, 'swish', true);
      s = conv(s, mid, 1, 1, 'sigmoid', true);
      h = multiply({ name: name('se_scale') }).apply([h, s]) as tf.SymbolicTensor;
      h = bn(conv(h, out, 1, 1));
      if (stride === 1 && inCh === out)
        h = tf.layers.add({ name: name('residual') }).apply([h, x]) as tf.SymbolicTensor;
      x = h;
    }
  }

  x = swish(bn(conv(x, roundFilters(arch.head, width), 1, 1)));
  const embedding = tf.layers.globalAveragePooling2d({ name: `${n}_embedding` }).apply(x) as tf.SymbolicTensor;
  const logits = tf.layers
    .dense({ units: opts.classes, kernelInitializer: dense(), name: `${n}_logits` })
    .apply(embedding) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: [logits, embedding], name: n });
}

/** Forward pass returning [logits, embedding]. */
export function forward(model: tf.LayersModel, images: tf.Tensor4D, training: boolean): [tf.Tensor2D, tf.Tensor2D] {
  const out = model.apply(images, { training }) as tf.Tensor | tf.Tensor[];
  // An imported single-output teacher: its logits double as the embedding (RKD, KD++ read it).
  if (!Array.isArray(out) || out.length === 1) {
    const logits = (Array.isArray(out) ? out[0] : out) as tf.Tensor2D;
    return [logits, logits.clone()];
  }
  return [out[0] as tf.Tensor2D, out[1] as tf.Tensor2D];
}

/** The tf.Variables behind the models' trainable weights, as optimizers take them. */
export function trainableVariables(models: tf.LayersModel[]): tf.Variable[] {
  return models.flatMap((m) => m.trainableWeights.map((w) => (w as unknown as { read(): tf.Variable }).read()));
}
