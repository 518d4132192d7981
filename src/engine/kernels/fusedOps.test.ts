import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enableRelaxedSimd } from '../../cli/relaxedSimdNode';
import { generateSynthetic, SYNTHETIC_PRESETS } from '../data/synthetic';
import { FusedBatchNormalization, FusedMultiply, FusedSwish, movingAverage } from '../models/fusedLayers';
import { EXPERIMENT_PRESETS, methodChoice, type SyntheticExperimentConfig } from '../presets';
import { runExperiment } from '../run/experiment';
import { useTestBackend } from '../testing/setup';
import { simdKernels, useSimdKernels } from './convGradSimd';
import { FusedAdam } from './fusedAdam';
import { fusedKernelCalls, useFusedOps } from './fusedKernels';
import { batchNormTraining, channelScale, swish } from './fusedOps';
import { modelFusedShapes, type FusedShape } from './modelFusedShapes';
import { fusedOpOutputsAndGrads, relErr } from '../testing/fusedOpsCheck';

/**
 * The fused ops on wasm against tfjs's own ops (the same calls with the fused ops off) on every shape
 * the preset models use, forward and every gradient, in both SIMD builds; against a float64
 * reference written out loop by loop; Adam bit for bit; the layers as tfjs saves them; and a seeded
 * tiny run with the fused ops on and off. Two threads: kernelThreads.test.ts.
 */

beforeAll(async () => {
  enableRelaxedSimd();
  await useTestBackend();
});
afterAll(() => {
  useSimdKernels('relaxed');
  useFusedOps(true);
});

const BATCH = 3;

describe('fused ops', () => {
  let shapes: FusedShape[] = [];
  beforeAll(() => {
    shapes = modelFusedShapes();
  });

  it('cover every swish, batch norm and SE scaling of every preset model', () => {
    const ops = (op: FusedShape['op']) => shapes.filter((s) => s.op === op).length;
    expect(ops('swish')).toBeGreaterThan(20);
    expect(ops('batchNorm')).toBeGreaterThan(20);
    expect(ops('channelScale')).toBeGreaterThan(10);
    // The lab teacher's widest layers and the SE convolutions' odd channel counts (tails of the 4 lanes) are among them.
    expect(shapes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ op: 'swish', shape: [32, 32, 96] }),
        expect.objectContaining({ op: 'swish', shape: [1, 1, 6] }),
        expect.objectContaining({ op: 'batchNorm', shape: [4, 4, 304] }),
      ]),
    );
  });

  for (const build of ['relaxed', 'simd'] as const)
    it(`equal tfjs's own ops to 1e-5 on every model shape, forward and gradients (${build} build)`, () => {
      useSimdKernels(build);
      expect(simdKernels(tf.backend())).toMatchObject({ simd: build });
      shapes.forEach((s, i) => {
        useFusedOps(false);
        const before = { ...fusedKernelCalls };
        const reference = fusedOpOutputsAndGrads(s, BATCH, 7 * i + 1);
        expect(fusedKernelCalls).toEqual(before);
        useFusedOps(true);
        const got = fusedOpOutputsAndGrads(s, BATCH, 7 * i + 1);
        // The fused kernels ran: the forward and, in the gradient, the backward of this op.
        const kernel = { swish: 'LabSwish', batchNorm: 'LabBatchNormTrain', channelScale: 'LabChannelScale' }[s.op];
        expect(fusedKernelCalls[kernel]).toBeGreaterThan(before[kernel] ?? 0);
        expect(fusedKernelCalls[`${kernel}Grad`]).toBeGreaterThan(before[`${kernel}Grad`] ?? 0);
        got.forEach((g, j) =>
          expect(relErr(g, reference[j]), `${s.where} ${s.op} ${s.shape.join('×')} output ${j}`).toBeLessThan(1e-5),
        );
      });
      useSimdKernels('relaxed');
    });

  it('batch norm with given statistics (inference) equals tfjs-wasm’s own on every model shape, and defers what it does not cover', () => {
    const run = (fused: boolean, f: () => tf.Tensor) => {
      useFusedOps(fused);
      return tf.tidy(() => f().dataSync());
    };
    let before = fusedKernelCalls.FusedBatchNorm ?? 0;
    shapes
      .filter((s) => s.op === 'batchNorm')
      .forEach((s, i) => {
        const C = s.shape[s.shape.length - 1];
        const stats = (shape: number[]) => {
          const x = tf.randomNormal([BATCH, ...s.shape], 0.7, 2.5, 'float32', 5 * i + 1);
          const mean = tf.randomNormal(shape, 0.5, 1, 'float32', 5 * i + 2);
          const variance = tf.randomUniform(shape, 0.5, 4, 'float32', 5 * i + 3);
          const offset = tf.randomUniform(shape, -1, 1, 'float32', 5 * i + 4);
          const scale = tf.randomUniform(shape, 0.5, 1.5, 'float32', 5 * i + 5);
          return { x, mean, variance, offset, scale };
        };
        // Statistics as [C] (how the layers pass them), as [1, …, 1, C], and without scale and offset.
        const cases: (() => tf.Tensor)[] = [
          () => {
            const t = stats([C]);
            return tf.batchNorm(t.x, t.mean, t.variance, t.offset, t.scale, 1e-3);
          },
          () => {
            const t = stats([1, 1, 1, C]);
            return tf.batchNorm(t.x, t.mean, t.variance, t.offset, t.scale, 1e-3);
          },
          () => {
            const t = stats([C]);
            return tf.batchNorm(t.x, t.mean, t.variance, undefined, undefined, 1e-3);
          },
        ];
        for (const f of cases)
          expect(relErr(run(true, f), run(false, f)), `${s.where} ${s.shape.join('×')}`).toBeLessThan(1e-5);
      });
    expect((fusedKernelCalls.FusedBatchNorm ?? 0) - before).toBe(3 * shapes.filter((s) => s.op === 'batchNorm').length);
    // Statistics that broadcast over more than the channels go on to tfjs's kernel.
    before = fusedKernelCalls.FusedBatchNorm ?? 0;
    const x = tf.randomNormal([2, 3, 3, 4], 0, 1, 'float32', 9);
    const perPixel = tf.randomUniform([3, 3, 4], 0.5, 2, 'float32', 10);
    const f = () => tf.batchNorm(x, perPixel, perPixel, undefined, undefined, 1e-3);
    expect(relErr(run(true, f), run(false, f))).toBe(0);
    expect(fusedKernelCalls.FusedBatchNorm ?? 0).toBe(before);
    useFusedOps(true);
    tf.dispose([x, perPixel]);
  });

  it('equal a float64 reference written loop by loop (swish, batch norm with its three gradients, SE)', () => {
    const [B, H, W, C] = [3, 5, 3, 6];
    const P = H * W,
      N = B * P;
    const x = tf.randomNormal([B, H, W, C], 1.5, 3, 'float32', 21);
    const gamma = tf.randomUniform([C], 0.5, 1.5, 'float32', 22);
    const beta = tf.randomUniform([C], -1, 1, 'float32', 23);
    const s = tf.randomUniform([B, 1, 1, C], -1, 1, 'float32', 24);
    const dy = tf.randomNormal([B, H, W, C], 0, 1, 'float32', 25);
    const [xv, gv, bv, sv, dv] = [x, gamma, beta, s, dy].map((t) => Array.from(t.dataSync()));
    const at = (b: number, p: number, c: number) => (b * P + p) * C + c;
    const sig = (z: number) => 1 / (1 + Math.exp(-z));

    // Swish and d/dx of Σ swish(x)·dy.
    const swishRef = xv.map((z) => z * sig(z));
    const swishGradRef = xv.map((z, i) => dv[i] * (sig(z) + z * sig(z) * (1 - sig(z))));
    // Batch norm: per channel, the mean, the biased variance, then the textbook backward pass.
    const bnRef = new Array<number>(xv.length),
      bnGradRef = new Array<number>(xv.length);
    const dGammaRef: number[] = [],
      dBetaRef: number[] = [];
    for (let c = 0; c < C; c++) {
      let mean = 0;
      for (let b = 0; b < B; b++) for (let p = 0; p < P; p++) mean += xv[at(b, p, c)] / N;
      let variance = 0;
      for (let b = 0; b < B; b++) for (let p = 0; p < P; p++) variance += (xv[at(b, p, c)] - mean) ** 2 / N;
      const inv = 1 / Math.sqrt(variance + 1e-3);
      let sumDy = 0,
        sumDyXhat = 0;
      for (let b = 0; b < B; b++)
        for (let p = 0; p < P; p++) {
          const i = at(b, p, c),
            xhat = (xv[i] - mean) * inv;
          bnRef[i] = gv[c] * xhat + bv[c];
          sumDy += dv[i];
          sumDyXhat += dv[i] * xhat;
        }
      dGammaRef.push(sumDyXhat);
      dBetaRef.push(sumDy);
      for (let b = 0; b < B; b++)
        for (let p = 0; p < P; p++) {
          const i = at(b, p, c),
            xhat = (xv[i] - mean) * inv;
          bnGradRef[i] = ((gv[c] * inv) / N) * (N * dv[i] - sumDy - xhat * sumDyXhat);
        }
    }
    // SE: y = x·s[b, c]; dx = dy·s, ds = Σ_p dy·x.
    const seRef = xv.map((z, i) => z * sv[Math.floor(i / (P * C)) * C + (i % C)]);
    const seGradRef = dv.map((g, i) => g * sv[Math.floor(i / (P * C)) * C + (i % C)]);
    const dsRef = sv.map((_, bc) => {
      const b = Math.floor(bc / C),
        c = bc % C;
      let sum = 0;
      for (let p = 0; p < P; p++) sum += dv[at(b, p, c)] * xv[at(b, p, c)];
      return sum;
    });

    useFusedOps(true);
    const got = tf.tidy(() => {
      const loss =
        (f: (...t: tf.Tensor[]) => tf.Tensor) =>
        (...t: tf.Tensor[]) =>
          tf.sum(tf.mul(f(...t), dy));
      const bn = (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => batchNormTraining(a, g, b, 1e-3)[0];
      return [
        swish(x),
        tf.grad(loss(swish))(x),
        bn(x, gamma, beta),
        ...tf.grads(loss(bn))([x, gamma, beta]),
        channelScale(x, s),
        ...tf.grads(loss(channelScale))([x, s]),
      ].map((t) => t.dataSync());
    });
    const refs = [swishRef, swishGradRef, bnRef, bnGradRef, dGammaRef, dBetaRef, seRef, seGradRef, dsRef];
    const names = ['swish', 'swish dx', 'bn', 'bn dx', 'bn dγ', 'bn dβ', 'se', 'se dx', 'se ds'];
    refs.forEach((r, i) => expect(relErr(got[i], r), names[i]).toBeLessThan(1e-5));
    // The batch norm gradient is not trivially small: it is checked against its own scale, which is O(1).
    expect(Math.max(...bnGradRef.map(Math.abs))).toBeGreaterThan(0.1);
    tf.dispose([x, gamma, beta, s, dy]);
  });

  it('Adam: the fused update gives tfjs’s weights, moments and powers bit for bit, step after step', () => {
    const shapes = [[7], [3, 5], [2, 2, 4, 8], [130]];
    const make = (seed: number) => shapes.map((sh, i) => tf.variable(tf.randomNormal(sh, 0, 1, 'float32', seed + i)));
    const ours = make(1),
      theirs = make(1);
    const fused = new FusedAdam(0.01, 0.9, 0.999),
      plain = tf.train.adam(0.01);
    useFusedOps(true);
    const before = fusedKernelCalls.LabAdam ?? 0;
    for (let step = 0; step < 5; step++) {
      const grads = shapes.map((sh, i) => tf.randomNormal(sh, 0, step + 1, 'float32', 100 * step + i));
      fused.applyGradients(ours.map((v, i) => ({ name: v.name, tensor: grads[i] })));
      plain.applyGradients(theirs.map((v, i) => ({ name: v.name, tensor: grads[i] })));
      tf.dispose(grads);
    }
    expect((fusedKernelCalls.LabAdam ?? 0) - before).toBe(5 * shapes.length);
    ours.forEach((v, i) => expect(Array.from(v.dataSync())).toEqual(Array.from(theirs[i].dataSync())));
    const weights = (o: tf.Optimizer) =>
      o.getWeights().then((w) => w.slice(1).map((n) => Array.from(n.tensor.dataSync())));
    return Promise.all([weights(fused), weights(plain)]).then(([a, b]) => {
      expect(a).toEqual(b);
      expect(a).toHaveLength(2 * shapes.length);
      tf.dispose([...ours, ...theirs]);
      fused.dispose();
      plain.dispose();
    });
  });

  it('the layers save as tfjs’s own (class, config, weights) and load back into the fused classes', () => {
    const args = { momentum: 0.9, epsilon: 1e-3, name: 'bn_x' };
    const ours = new FusedBatchNormalization(args),
      theirs = tf.layers.batchNormalization({ ...args, name: 'bn_y' });
    expect(ours.getClassName()).toBe(theirs.getClassName());
    expect({ ...ours.getConfig(), name: 'bn_y' }).toEqual(theirs.getConfig());
    expect(new FusedMultiply({ name: 'm' }).getClassName()).toBe('Multiply');
    expect(new FusedSwish().getClassName()).toBe('swish');

    const input = tf.input({ shape: [4, 4, 8] });
    let h = tf.layers.activation({ activation: 'swish' }).apply(input) as tf.SymbolicTensor;
    h = ours.apply(h) as tf.SymbolicTensor;
    const gate = tf.layers
      .conv2d({ filters: 8, kernelSize: 1, activation: 'swish' })
      .apply(
        tf.layers
          .reshape({ targetShape: [1, 1, 8] })
          .apply(tf.layers.globalAveragePooling2d({}).apply(h)) as tf.SymbolicTensor,
      ) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: new FusedMultiply({}).apply([h, gate]) as tf.SymbolicTensor });
    const json = model.toJSON(null, false) as {
      config: { layers: { class_name: string; config: { activation?: string } }[] };
    };
    expect(json.config.layers.map((l) => l.class_name)).toEqual([
      'InputLayer',
      'Activation',
      'BatchNormalization',
      'GlobalAveragePooling2D',
      'Reshape',
      'Conv2D',
      'Multiply',
    ]);
    expect(json.config.layers[1].config.activation).toBe('swish');
    theirs.apply(tf.input({ shape: [4, 4, 8] }));
    const weightsOf = (l: tf.layers.Layer) => l.weights.map((w) => [w.name.replace(/.*\//, ''), w.shape, w.trainable]);
    expect(weightsOf(ours)).toEqual(weightsOf(theirs));
    expect(weightsOf(ours)).toHaveLength(4);
    const loaded = tf.models.modelFromJSON({ modelTopology: model.toJSON(null, false) } as never);
    return loaded.then((m) => {
      const classes = m.layers.map((l) => l.constructor);
      expect(classes).toContain(FusedBatchNormalization);
      expect(classes).toContain(FusedMultiply);
      m.dispose();
      model.dispose();
    });
  });

  it('with the fused ops off, the layers run exactly tfjs’s own kernels (as on every other backend)', async () => {
    const x = tf.randomNormal([2, 4, 4, 8], 1, 2, 'float32', 51);
    const s = tf.randomUniform([2, 1, 1, 8], 0, 1, 'float32', 52);
    const kernelsOf = async (layer: tf.layers.Layer, inputs: tf.Tensor | tf.Tensor[]) =>
      // Every kernel call in order (profile's kernelNames is a set).
      (await tf.profile(() => tf.tidy(() => layer.apply(inputs, { training: true }) as tf.Tensor))).kernels.map(
        (k) => k.name,
      );
    useFusedOps(false);
    const args = { momentum: 0.9, epsilon: 1e-3 };
    expect(await kernelsOf(new FusedBatchNormalization(args), x)).toEqual(
      await kernelsOf(tf.layers.batchNormalization(args), x),
    );
    expect(await kernelsOf(new FusedMultiply({}), [x, s])).toEqual(await kernelsOf(tf.layers.multiply({}), [x, s]));
    const swishLayer = () => tf.layers.activation({ activation: 'swish' });
    expect(await kernelsOf(swishLayer(), x)).toEqual(['Multiply', 'Sigmoid', 'Multiply']);
    useFusedOps(true);
    expect(await kernelsOf(new FusedBatchNormalization(args), x)).toContain('LabBatchNormTrain');
    expect(await kernelsOf(swishLayer(), x)).toEqual(['LabSwish']);
    tf.dispose([x, s]);
  });

  it('the moving average written from the heap has the bits of tfjs-layers’ three ops', () => {
    for (const momentum of [0.9, 0.99]) {
      const orig = tf.randomNormal([257], 0, 3, 'float32', 41),
        value = tf.randomNormal([257], 1, 5, 'float32', 42);
      const theirs = tf.tidy(() => tf.sub(orig, tf.mul(tf.sub(orig, value), 1 - momentum)).dataSync());
      const ours = movingAverage(orig.dataSync() as Float32Array, value.dataSync() as Float32Array, momentum);
      expect(Array.from(ours)).toEqual(Array.from(theirs));
      tf.dispose([orig, value]);
    }
  });

  it('batch norm’s moving mean and variance move as tfjs moves them', () => {
    const x = tf.randomNormal([4, 6, 6, 12], 2, 3, 'float32', 31);
    const moved = (fused: boolean) => {
      useFusedOps(fused);
      const layer = new FusedBatchNormalization({ momentum: 0.9, epsilon: 1e-3 });
      tf.tidy(() => layer.apply(x, { training: true }) as tf.Tensor);
      tf.tidy(() => layer.apply(tf.mul(x, 0.5), { training: true }) as tf.Tensor);
      const out = layer.getWeights().map((w) => w.dataSync());
      layer.dispose();
      return out;
    };
    const [on, off] = [moved(true), moved(false)];
    useFusedOps(true);
    // gamma, beta, moving mean, moving variance
    on.forEach((w, i) => expect(relErr(w, off[i]), `weight ${i}`).toBeLessThan(1e-6));
    expect(Math.abs(on[2][0])).toBeGreaterThan(0.1);
    x.dispose();
  });

  it('a seeded tiny run gives the same curves within rounding with the fused ops on and off', async () => {
    const config = {
      ...EXPERIMENT_PRESETS.tiny,
      dataset: { ...SYNTHETIC_PRESETS.tiny, examples: 160 },
      teacherEpochs: 1,
      studentEpochs: 2,
      baseline: false,
      lambdas: [0, 1],
      methods: [methodChoice('tiny', 'kd')],
    } as SyntheticExperimentConfig;
    const data = generateSynthetic(config.dataset);
    const backend = { name: 'wasm' as const, fallbacks: [] };
    /** Each model's curve as one series per loss term. */
    const curves = async (fused: boolean) => {
      useFusedOps(fused);
      const before = tf.memory().numTensors;
      const r = await runExperiment(config, data, backend, { emit: () => {} });
      expect(tf.memory().numTensors).toBe(before);
      return [r.teacher, ...r.students].map((m) =>
        Object.fromEntries(Object.keys(m.curve[0].terms).map((t) => [t, m.curve.map((p) => p.terms[t])])),
      );
    };
    const on = await curves(true),
      off = await curves(false);
    useFusedOps(true);
    expect(on.map((m) => Object.keys(m))).toEqual(off.map((m) => Object.keys(m)));
    // The teacher's first loss is one forward pass of the same weights: rounding alone.
    expect(Math.abs(on[0].CE[0] - off[0].CE[0])).toBeLessThan(1e-6 * off[0].CE[0]);
    // After it, Adam turns rounding-level differences in near-zero gradients into ±lr steps (its first
    // update is lr·sign(g)): the relaxed and plain SIMD builds, which differ only in rounding, move the
    // tiny teacher's weights 3e-4 apart in one step, the fused ops 5e-4. Every term stays within 2% of
    // its own scale over the run.
    on.forEach((model, m) =>
      Object.entries(model).forEach(([term, series]) => {
        expect(series.every(Number.isFinite)).toBe(true);
        const scale = Math.max(...off[m][term].map(Math.abs));
        series.forEach((v, i) =>
          expect(Math.abs(v - off[m][term][i]), `model ${m} ${term} point ${i}`).toBeLessThanOrEqual(2e-2 * scale),
        );
      }),
    );
  });
});
