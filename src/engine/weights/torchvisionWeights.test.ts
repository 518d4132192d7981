import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { zipSync } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  buildTorchvisionEfficientNet,
  trainableParams,
  TORCHVISION_VARIANTS,
  type TorchvisionArch,
} from '../models/torchvisionEfficientNet';
import { relativeToLargest, useTestBackend } from '../testing/setup';
import { loadStateDict } from './loadStateDict';
import { readWeightFile } from './readWeights';
import { readZip } from './zipArchive';
import { timmToTorchvision } from './timmKeys';
import { readWeightBytes } from '../../cli/pretrainedFiles';

/**
 * The lab's torchvision EfficientNets against torchvision itself (torchvision_reference.py): random
 * weights with non-trivial batch-norm statistics, saved as .pth and safetensors, loaded here; logits in
 * inference, a training-mode forward and one SGD step compared; hostile files refused by name.
 */

const PYTHON = '/usr/bin/python3';
const torchMissing = (() => {
  const r = spawnSync(PYTHON, ['-c', 'import torch, torchvision'], { encoding: 'utf8' });
  return r.status === 0
    ? null
    : `python3-torchvision is not installed (${(r.stderr || r.error?.message || '').trim().split('\n').pop()})`;
})();
if (torchMissing) console.warn(`skipped: the torchvision reference checks — ${torchMissing}`);

interface Reference {
  params: number;
  logitsEval: number[];
  logitsTrain: number[];
  labels: number[];
  lr: number;
  after: Record<string, number[]>;
}

const SIZE = 64;
const fixtures: Partial<Record<TorchvisionArch, string>> = {};

function fixture(arch: TorchvisionArch): { dir: string; ref: Reference; images: tf.Tensor4D } {
  const dir = fixtures[arch]!;
  const ref = JSON.parse(readFileSync(join(dir, 'reference.json'), 'utf8')) as Reference;
  const raw = readFileSync(join(dir, 'images.f32'));
  const images = tf.tensor4d(new Float32Array(raw.buffer, raw.byteOffset, raw.length / 4), [2, SIZE, SIZE, 3]);
  return { dir, ref, images };
}

const build = (arch: TorchvisionArch, regularize = true) =>
  buildTorchvisionEfficientNet(arch, {
    inputSize: SIZE,
    classes: 1000,
    seed: 3,
    name: `tv_${arch}`,
    imagenetInput: false,
    regularize,
  });

function load(arch: TorchvisionArch, file: string, regularize = true) {
  const b = build(arch, regularize);
  const w = readWeightFile(readFileSync(file), file);
  loadStateDict(b.model, b.keys, w.tensors, { what: file, modelName: `efficientnet-${arch}`, head: 'load' });
  return b;
}

/** Largest |a − b| over the largest |b|: the tolerance is relative to the largest logit. */
const relError = (a: ArrayLike<number>, b: number[]) => relativeToLargest(a, b, 0);

beforeAll(async () => {
  await useTestBackend();
  if (torchMissing) return;
  for (const arch of ['b0', 'b3'] as const) {
    const dir = mkdtempSync(join(tmpdir(), `fd-tv-${arch}-`));
    const r = spawnSync(PYTHON, [join(__dirname, 'torchvision_reference.py'), dir, arch, String(SIZE)], {
      encoding: 'utf8',
    });
    if (r.status !== 0) throw new Error(`torchvision_reference.py ${arch} failed: ${r.stderr}`);
    fixtures[arch] = dir;
  }
}, 300_000);

describe('torchvision’s EfficientNet-B0 and B3 in the lab', () => {
  it('have torchvision’s parameter counts with a 1000-class head (5,288,548 and 12,233,232)', () => {
    for (const arch of ['b0', 'b3'] as const) {
      const { model } = build(arch);
      expect(trainableParams(model)).toBe(TORCHVISION_VARIANTS[arch].params);
      model.dispose();
    }
  });

  it.skipIf(torchMissing)(
    'give torchvision’s logits from its .pth and its safetensors file (B0, B3; inference)',
    () => {
      for (const arch of ['b0', 'b3'] as const) {
        const { dir, ref, images } = fixture(arch);
        expect(ref.params).toBe(TORCHVISION_VARIANTS[arch].params);
        for (const file of ['model.pth', 'model.safetensors']) {
          const { model } = load(arch, join(dir, file));
          const logits = tf.tidy(() => (model.apply(images, { training: false }) as tf.Tensor[])[0].dataSync());
          expect(relError(logits, ref.logitsEval), `${arch} ${file}`).toBeLessThan(1e-4);
          model.dispose();
        }
        images.dispose();
      }
    },
  );

  it.skipIf(torchMissing).each(['b0', 'b3'] as const)(
    'agree with torchvision in a training-mode forward and one SGD step (%s; dropout and stochastic depth off)',
    (arch) => {
      const { dir, ref, images } = fixture(arch);
      const { model, keys } = load(arch, join(dir, 'model.pth'), false);
      const labels = tf.oneHot(tf.tensor1d(ref.labels, 'int32'), 1000);
      const vars = model.trainableWeights.map((w) => (w as unknown as { read(): tf.Variable }).read());
      const { value, grads } = tf.variableGrads(() => {
        const logits = (model.apply(images, { training: true }) as tf.Tensor[])[0] as tf.Tensor2D;
        expect(relError(logits.dataSync(), ref.logitsTrain)).toBeLessThan(1e-3);
        return tf.losses.softmaxCrossEntropy(labels, logits) as tf.Scalar;
      }, vars);
      tf.tidy(() => {
        for (const v of vars) v.assign(v.sub(grads[v.name].mul(ref.lr)));
      });
      tf.dispose([value, grads, labels, images]);
      // The watched weights after the step, in PyTorch's layout, against torchvision's.
      for (const [key, expected] of Object.entries(ref.after)) {
        const k = keys.find((x) => x.key === key)!;
        const w = model.getLayer(k.layer).getWeights()[k.index];
        const perm = { conv: [3, 2, 0, 1], depthwise: [2, 3, 0, 1], linear: [1, 0], vector: null }[k.kind];
        const torch = tf.tidy(() => (perm ? w.transpose(perm) : w.clone()).dataSync().slice(0, expected.length));
        expect(relError(torch, expected), key).toBeLessThan(1e-3);
      }
      model.dispose();
    },
  );
});

describe('weight files that are not what they claim are refused by name, and nothing is loaded', () => {
  const pickle = (module: string, name: string) =>
    new Uint8Array([0x80, 0x02, 0x63, ...new TextEncoder().encode(`${module}\n${name}\n`), 0x29, 0x52, 0x2e]);
  const pth = (files: Record<string, Uint8Array>) => zipSync(files, { level: 0 });

  it('a pickle naming os.system or builtins.eval', () => {
    for (const [m, n] of [
      ['os', 'system'],
      ['posix', 'system'],
      ['builtins', 'eval'],
    ])
      expect(() => readWeightFile(pth({ 'model/data.pkl': pickle(m, n) }), 'evil.pth')).toThrow(
        `The weight file evil.pth names the Python global ${m}.${n}, which a state_dict never holds; it was refused (nothing in it is executed).`,
      );
  });

  it('a zip whose entry sizes lie, and a truncated storage', () => {
    const zip = pth({ 'model/data.pkl': pickle('collections', 'OrderedDict'), 'model/data/0': new Uint8Array(64) });
    // The central directory's sizes of the second entry say 2^31 − 1 bytes.
    const view = new DataView(zip.buffer);
    let at = zip.length - 22;
    at = view.getUint32(at + 16, true); // the central directory
    at += 46 + view.getUint16(at + 28, true) + view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
    view.setUint32(at + 20, 0x7fffffff, true);
    view.setUint32(at + 24, 0x7fffffff, true);
    expect(() => readZip(zip, 'lying.pth')).toThrow(
      /lying\.pth is not a readable zip archive: model\/data\/0 claims 2,147,483,647 bytes at offset \d+, past the file's end/,
    );
  });

  it('a deflated entry claiming more than deflate can give is refused before it is inflated', () => {
    const zip = zipSync({ 'model/data/0': new Uint8Array(4096) }, { level: 6 });
    const view = new DataView(zip.buffer);
    const dir = view.getUint32(zip.length - 22 + 16, true);
    const packed = view.getUint32(dir + 20, true);
    view.setUint32(dir + 24, 0x7fffffff, true); // the uncompressed size: 2 GiB from a few bytes
    expect(() => readZip(zip, 'bomb.pth')).toThrow(
      `bomb.pth is not a readable zip archive: model/data/0 claims 2,147,483,647 bytes from ${packed} deflated ones, more than deflate can give.`,
    );
  });

  it('a weight file over 1 GiB is refused by its size before it is read', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'fd-big-')), 'huge.pth');
    writeFileSync(path, '');
    truncateSync(path, 2 ** 30 + 1); // sparse: nothing is written
    expect(() => readWeightBytes(path, '--weights')).toThrow(
      'The weight file huge.pth is 1024 MiB; weight files of up to 1024 MiB are read.',
    );
  });

  it.skipIf(torchMissing)(
    'a tensor with more values than its storage (a stride-0 expansion) is refused before it is allocated',
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'fd-expand-'));
      const r = spawnSync(
        PYTHON,
        ['-c', `import torch; torch.save({'w': torch.zeros(1).expand(100000000)}, '${dir}/x.pth')`],
        {
          encoding: 'utf8',
        },
      );
      expect(r.status, r.stderr).toBe(0);
      expect(() => readWeightFile(readFileSync(join(dir, 'x.pth')), 'x.pth')).toThrow(
        'The weight file x.pth: w (shape [100000000]) has more values than its storage holds (1).',
      );
    },
  );

  it.skipIf(torchMissing)('a storage shorter than its tensor', () => {
    const entries = readZip(readFileSync(join(fixtures.b0!, 'model.pth')), 'x');
    const files = Object.fromEntries([...entries.values()].map((e) => [e.name, e.read()]));
    files['model/data/0'] = files['model/data/0'].subarray(0, 100);
    expect(() => readWeightFile(pth(files), 'short.pth')).toThrow(
      "The weight file short.pth: features.0.0.weight's storage 0 is truncated (100 bytes for 864 F32 values).",
    );
  });

  it('a safetensors header claiming 2^60 bytes, overlapping offsets, a name given twice', () => {
    const header = (json: string, data = 0) => {
      const text = new TextEncoder().encode(json);
      const out = new Uint8Array(8 + text.length + data);
      new DataView(out.buffer).setBigUint64(0, BigInt(text.length), true);
      out.set(text, 8);
      return out;
    };
    const huge = new Uint8Array(16);
    new DataView(huge.buffer).setBigUint64(0, 2n ** 60n, true);
    expect(() => readWeightFile(huge, 'huge.safetensors')).toThrow(
      'The weight file huge.safetensors is not a valid safetensors file: its header claims 1,152,921,504,606,846,976 bytes (at most 100,000,000).',
    );
    const overlap = header(
      '{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]},"b":{"dtype":"F32","shape":[4],"data_offsets":[8,24]}}',
      24,
    );
    expect(() => readWeightFile(overlap, 'o.safetensors')).toThrow("b's bytes overlap another tensor's");
    const twice = header(
      '{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}',
      8,
    );
    expect(() => readWeightFile(twice, 't.safetensors')).toThrow('the tensor a is named twice');
    const past = header('{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}', 8);
    expect(() => readWeightFile(past, 'p.safetensors')).toThrow('its tensors need 16 bytes of data, the file holds 8');
    const dtype = header('{"a":{"dtype":"C64","shape":[1],"data_offsets":[0,8]}}', 8);
    expect(() => readWeightFile(dtype, 'd.safetensors')).toThrow('a has the unknown dtype C64');
  });

  it.skipIf(torchMissing)(
    'a B0 file given as B3: the first mismatched tensor with both shapes; the model keeps its weights',
    () => {
      const b3 = build('b3');
      const before = b3.model.getWeights().map((w) => w.dataSync().slice(0, 4));
      const w = readWeightFile(readFileSync(join(fixtures.b0!, 'model.pth')), 'b0.pth');
      expect(() =>
        loadStateDict(b3.model, b3.keys, w.tensors, { what: 'b0.pth', modelName: 'efficientnet-b3', head: 'load' }),
      ).toThrow(
        'b0.pth does not fit efficientnet-b3: features.0.0.weight is [32, 3, 3, 3] in the file and [40, 3, 3, 3] in the model (a file of another model?). Nothing was loaded.',
      );
      expect(b3.model.getWeights().map((x) => x.dataSync().slice(0, 4))).toEqual(before);
      b3.model.dispose();
    },
  );

  it.skipIf(torchMissing)(
    'a 1000-class head is replaced by the dataset’s for fine-tuning; timm’s key names load the same weights',
    () => {
      const { dir, images } = fixture('b0');
      const file = readWeightFile(readFileSync(join(dir, 'model.pth')), 'b0.pth').tensors;
      const small = buildTorchvisionEfficientNet('b0', {
        inputSize: SIZE,
        classes: 16,
        seed: 3,
        name: 'tv16',
        imagenetInput: false,
      });
      const report = loadStateDict(small.model, small.keys, file, {
        what: 'b0.pth',
        modelName: 'efficientnet-b0',
        head: 'replace',
      });
      expect(report).toMatchObject({ headReplaced: true, fileClasses: 1000, keyNames: 'torchvision' });
      expect(() =>
        loadStateDict(small.model, small.keys, file, { what: 'b0.pth', modelName: 'efficientnet-b0', head: 'load' }),
      ).toThrow('classifier.1.weight is [1000, 1280] in the file and [16, 1280] in the model');
      // The same tensors under timm's names (efficientnet_b0.ra_in1k's layout) give the same pooled features.
      const toTimm = new Map<string, string>();
      for (const key of file.keys()) {
        const timm = key
          .replace(/^features\.0\.0\./, 'conv_stem.')
          .replace(/^features\.0\.1\./, 'bn1.')
          .replace(/^features\.8\.0\./, 'conv_head.')
          .replace(/^features\.8\.1\./, 'bn2.')
          .replace(/^classifier\.1\./, 'classifier.')
          .replace(
            /^features\.1\.(\d+)\.block\.(0\.0|0\.1|1\.fc1|1\.fc2|2\.0|2\.1)\./,
            (_m, b: string, part: string) =>
              `blocks.0.${b}.${{ '0.0': 'conv_dw', '0.1': 'bn1', '1.fc1': 'se.conv_reduce', '1.fc2': 'se.conv_expand', '2.0': 'conv_pw', '2.1': 'bn2' }[part]}.`,
          )
          .replace(
            /^features\.([2-7])\.(\d+)\.block\.(0\.0|0\.1|1\.0|1\.1|2\.fc1|2\.fc2|3\.0|3\.1)\./,
            (_m, s: string, b: string, part: string) =>
              `blocks.${Number(s) - 1}.${b}.${{ '0.0': 'conv_pw', '0.1': 'bn1', '1.0': 'conv_dw', '1.1': 'bn2', '2.fc1': 'se.conv_reduce', '2.fc2': 'se.conv_expand', '3.0': 'conv_pwl', '3.1': 'bn3' }[part]}.`,
          );
        toTimm.set(timm, key);
        if (!key.endsWith('num_batches_tracked')) expect(timmToTorchvision(timm), timm).toBe(key);
      }
      const timmFile = new Map([...toTimm].map(([timm, key]) => [timm, file.get(key)!]));
      const viaTimm = buildTorchvisionEfficientNet('b0', {
        inputSize: SIZE,
        classes: 16,
        seed: 3,
        name: 'tvtimm',
        imagenetInput: false,
      });
      expect(
        loadStateDict(viaTimm.model, viaTimm.keys, timmFile, {
          what: 'timm',
          modelName: 'efficientnet-b0',
          head: 'replace',
        }).keyNames,
      ).toBe('timm');
      const [a, b] = [small, viaTimm].map(({ model }) =>
        tf.tidy(() => (model.apply(images, { training: false }) as tf.Tensor[])[1].dataSync()),
      );
      expect(Array.from(b)).toEqual(Array.from(a));
      tf.dispose([images]);
      small.model.dispose();
      viaTimm.model.dispose();
    },
  );
});
