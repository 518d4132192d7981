import * as tf from '@tensorflow/tfjs';
import { roundFilters } from './architectures';
import { batchNormalization, multiply } from './fusedLayers';
import { ImagenetInput, SeededDropout } from './torchvisionLayers';

/**
 * torchvision 0.14's efficientnet_b0 and efficientnet_b3, layer for layer, in tfjs: symmetric zero
 * padding before every stride-2 convolution (tfjs's "same" pads stride-2 convolutions asymmetrically);
 * batch norm ε 1e-5 and momentum 0.1 (tfjs's 0.9); squeeze-excitation of max(1, block input // 4)
 * channels; stochastic depth at 0.2 × block index / block count on residual branches, in training only;
 * dropout 0.2 (B0) or 0.3 (B3) before the classifier; torchvision's stem and head. Every layer is named
 * after its state_dict key, and `torchKeys` lists how each key fills a tfjs weight, so a torchvision
 * file loads by name. Like the lab's other models, two outputs: [logits, pooled feature].
 */

export type TorchvisionArch = 'b0' | 'b3';

/** torchvision's MBConv settings for B0 (expand, kernel, stride, in, out, layers), scaled per variant. */
const SETTING: [number, number, number, number, number, number][] = [
  [1, 3, 1, 32, 16, 1],
  [6, 3, 2, 16, 24, 2],
  [6, 5, 2, 24, 40, 2],
  [6, 3, 2, 40, 80, 3],
  [6, 5, 1, 80, 112, 3],
  [6, 5, 2, 112, 192, 4],
  [6, 3, 1, 192, 320, 1],
];

export const TORCHVISION_VARIANTS: Record<
  TorchvisionArch,
  { width: number; depth: number; dropout: number; resize: number; crop: number; params: number }
> = {
  b0: { width: 1.0, depth: 1.0, dropout: 0.2, resize: 256, crop: 224, params: 5_288_548 },
  b3: { width: 1.2, depth: 1.4, dropout: 0.3, resize: 320, crop: 300, params: 12_233_232 },
};

const STOCHASTIC_DEPTH = 0.2;

/** How one state_dict key fills one tfjs weight. */
export interface TorchKey {
  key: string;
  layer: string;
  /** Which of the layer's weights, in tfjs's order (conv: kernel, bias; bn: gamma, beta, mean, variance). */
  index: number;
  kind: 'conv' | 'depthwise' | 'linear' | 'vector';
  /** The classifier's weights: replaced by a new head when the classes differ. */
  head?: boolean;
}

export interface TorchvisionBuild {
  model: tf.LayersModel;
  keys: TorchKey[];
}

export interface TorchvisionOptions {
  inputSize: number;
  classes: number;
  seed: number;
  name: string;
  /** Adds the ImageNet normalisation of the lab's [−1, 1] pixels at the input (off: the input is already normalised). */
  imagenetInput?: boolean;
  /** False: no dropout and no stochastic depth, also in training (the reference checks compare against torchvision so). */
  regularize?: boolean;
}

export function buildTorchvisionEfficientNet(arch: TorchvisionArch, opts: TorchvisionOptions): TorchvisionBuild {
  const v = TORCHVISION_VARIANTS[arch];
  const n = opts.name;
  let seed = opts.seed >>> 0;
  const keys: TorchKey[] = [];
  const layerName = (key: string) => `${n}_${key}`;
  const apply = (layer: tf.layers.Layer, x: tf.SymbolicTensor | tf.SymbolicTensor[]) =>
    layer.apply(x) as tf.SymbolicTensor;
  // torchvision initialises convolutions with Kaiming normal (fan out), Linear uniform ±1/√out, bias 0.
  const convInit = () =>
    tf.initializers.varianceScaling({ scale: 2, mode: 'fanOut', distribution: 'normal', seed: seed++ });

  /** Conv2dNormActivation: convolution without bias, batch norm, SiLU or none; padding (k − 1)/2 on both sides. */
  const convBn = (
    x: tf.SymbolicTensor,
    key: string,
    out: number,
    kernel: number,
    stride: number,
    opt: { depthwise?: boolean; act: boolean },
  ) => {
    const pad = (kernel - 1) / 2;
    let h = x;
    if (stride > 1 && pad > 0)
      h = apply(
        tf.layers.zeroPadding2d({
          padding: [
            [pad, pad],
            [pad, pad],
          ],
          name: layerName(`${key}.pad`),
        }),
        h,
      );
    const padding = stride > 1 ? 'valid' : 'same';
    const conv = opt.depthwise
      ? tf.layers.depthwiseConv2d({
          kernelSize: kernel,
          strides: stride,
          padding,
          useBias: false,
          depthwiseInitializer: convInit(),
          name: layerName(`${key}.0`),
        })
      : tf.layers.conv2d({
          filters: out,
          kernelSize: kernel,
          strides: stride,
          padding,
          useBias: false,
          kernelInitializer: convInit(),
          name: layerName(`${key}.0`),
        });
    h = apply(conv, h);
    keys.push({
      key: `${key}.0.weight`,
      layer: layerName(`${key}.0`),
      index: 0,
      kind: opt.depthwise ? 'depthwise' : 'conv',
    });
    h = apply(batchNormalization({ momentum: 0.9, epsilon: 1e-5, name: layerName(`${key}.1`) }), h);
    ['weight', 'bias', 'running_mean', 'running_var'].forEach((w, index) =>
      keys.push({ key: `${key}.1.${w}`, layer: layerName(`${key}.1`), index, kind: 'vector' }),
    );
    if (opt.act) h = apply(tf.layers.activation({ activation: 'swish', name: layerName(`${key}.2`) }), h);
    return h;
  };
  const convBias = (x: tf.SymbolicTensor, key: string, out: number, activation: 'swish' | 'sigmoid') => {
    const h = apply(
      tf.layers.conv2d({
        filters: out,
        kernelSize: 1,
        activation,
        kernelInitializer: convInit(),
        name: layerName(key),
      }),
      x,
    );
    keys.push({ key: `${key}.weight`, layer: layerName(key), index: 0, kind: 'conv' });
    keys.push({ key: `${key}.bias`, layer: layerName(key), index: 1, kind: 'vector' });
    return h;
  };

  const input = tf.input({ shape: [opts.inputSize, opts.inputSize, 3], name: `${n}_image` });
  let x = opts.imagenetInput === false ? input : apply(new ImagenetInput({ name: `${n}_imagenet` }), input);
  const stages = SETTING.map(([expand, kernel, stride, inCh, outCh, layers]) => ({
    expand,
    kernel,
    stride,
    inCh: roundFilters(inCh, v.width),
    outCh: roundFilters(outCh, v.width),
    layers: Math.ceil(layers * v.depth),
  }));
  x = convBn(x, 'features.0', stages[0].inCh, 3, 2, { act: true });
  const total = stages.reduce((a, s) => a + s.layers, 0);
  let blockId = 0;
  stages.forEach((s, si) => {
    for (let b = 0; b < s.layers; b++) {
      const inCh = b === 0 ? s.inCh : s.outCh;
      const stride = b === 0 ? s.stride : 1;
      const key = `features.${si + 1}.${b}.block`;
      const expanded = roundFilters(inCh, s.expand);
      let k = 0;
      let h = x;
      if (expanded !== inCh) h = convBn(h, `${key}.${k++}`, expanded, 1, 1, { act: true });
      h = convBn(h, `${key}.${k++}`, expanded, s.kernel, stride, { depthwise: true, act: true });
      // Squeeze-excitation from the block's input channels, as torchvision computes it.
      const se = `${key}.${k++}`;
      let g = apply(tf.layers.globalAveragePooling2d({ name: layerName(`${se}.avgpool`) }), h);
      g = apply(tf.layers.reshape({ targetShape: [1, 1, expanded], name: layerName(`${se}.reshape`) }), g);
      g = convBias(g, `${se}.fc1`, Math.max(1, Math.floor(inCh / 4)), 'swish');
      g = convBias(g, `${se}.fc2`, expanded, 'sigmoid');
      h = apply(multiply({ name: layerName(`${se}.scale`) }), [h, g]);
      h = convBn(h, `${key}.${k}`, s.outCh, 1, 1, { act: false });
      const p = (STOCHASTIC_DEPTH * blockId) / total;
      if (stride === 1 && inCh === s.outCh) {
        if (p > 0 && opts.regularize !== false)
          h = apply(new SeededDropout({ rate: p, mode: 'row', seed: seed++, name: layerName(`${key}.sd`) }), h);
        h = apply(tf.layers.add({ name: layerName(`${key}.add`) }), [h, x]);
      }
      x = h;
      blockId++;
    }
  });
  const last = stages[stages.length - 1].outCh;
  x = convBn(x, `features.${stages.length + 1}`, 4 * last, 1, 1, { act: true });
  const pooled = apply(tf.layers.globalAveragePooling2d({ name: `${n}_embedding` }), x);
  const dropped =
    opts.regularize === false
      ? pooled
      : apply(new SeededDropout({ rate: v.dropout, mode: 'element', seed: seed++, name: `${n}_classifier.0` }), pooled);
  const bound = 1 / Math.sqrt(opts.classes);
  const logits = apply(
    tf.layers.dense({
      units: opts.classes,
      kernelInitializer: tf.initializers.randomUniform({ minval: -bound, maxval: bound, seed: seed++ }),
      name: layerName('classifier.1'),
    }),
    dropped,
  );
  keys.push({ key: 'classifier.1.weight', layer: layerName('classifier.1'), index: 0, kind: 'linear', head: true });
  keys.push({ key: 'classifier.1.bias', layer: layerName('classifier.1'), index: 1, kind: 'vector', head: true });
  return { model: tf.model({ inputs: input, outputs: [logits, pooled], name: n }), keys };
}

/** The model's trainable parameter count: what torchvision's num_params counts (running statistics aside). */
export function trainableParams(model: tf.LayersModel): number {
  return model.trainableWeights.reduce((a, w) => a + w.shape.reduce((x: number, y) => x * (y ?? 1), 1), 0);
}
