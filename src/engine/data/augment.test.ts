import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeFolder } from '../../cli/imageFolderKit';
import { cropFor, cropInto, CROP_RATIO, drawCrop } from './augment';
import { BatchReader, disposeBatch } from './batches';
import { createRng } from '../random';
import { SPLIT, type InMemoryDataset } from '../types';
import { labCommand } from '../../cli/labUnderTest';

/**
 * Random-resized crop and flip: seeded per (seed, epoch, example), inside the image and torchvision's
 * ranges, a crop's pixels equal to a hand computation of bilinear resizing, and a run with it reproducible.
 */

const run = promisify(execFile);

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('augmentation', () => {
  it('draws crops inside the image, in the scale and ratio ranges, seeded per epoch and example', () => {
    const size = 64;
    let flips = 0;
    for (let i = 0; i < 400; i++) {
      const c = drawCrop(createRng(i), size);
      expect(c.x0 >= 0 && c.y0 >= 0 && c.x0 + c.w <= size && c.y0 + c.h <= size).toBe(true);
      const share = (c.w * c.h) / (size * size);
      // Rounding w and h moves the area share and the ratio a little past the drawn ones.
      expect(share).toBeGreaterThan(0.25 - 0.04);
      if (c.w !== size || c.h !== size) {
        expect(c.w / c.h).toBeGreaterThan(CROP_RATIO[0] - 0.05);
        expect(c.w / c.h).toBeLessThan(CROP_RATIO[1] + 0.05);
      }
      flips += c.flip ? 1 : 0;
    }
    expect(flips).toBeGreaterThan(150);
    expect(flips).toBeLessThan(250);
    expect(cropFor(3, 2, 17, size)).toEqual(cropFor(3, 2, 17, size));
    expect(cropFor(3, 2, 17, size)).not.toEqual(cropFor(3, 3, 17, size));
    expect(cropFor(3, 2, 17, size)).not.toEqual(cropFor(3, 2, 18, size));
    expect(cropFor(3, 2, 17, size)).not.toEqual(cropFor(4, 2, 17, size));
  });

  it('a crop of the whole image is the image; a flip mirrors it; a 2×2 crop resized to 4×4 matches the hand computation', () => {
    const S = 4;
    // Red = 10·x + 40·y, green = 200 − red, blue = 7.
    const px = new Uint8Array(S * S * 3);
    for (let y = 0; y < S; y++)
      for (let x = 0; x < S; x++) px.set([10 * x + 40 * y, 200 - 10 * x - 40 * y, 7], (y * S + x) * 3);
    const out = new Float32Array(S * S * 3);
    const red = (x: number, y: number) => Math.round((out[(y * S + x) * 3] + 1) * 127.5 * 1e4) / 1e4;
    cropInto(px, S, { x0: 0, y0: 0, w: S, h: S, flip: false }, out, 0);
    expect(Array.from(out, (v) => Math.round((v + 1) * 127.5 * 1e4) / 1e4)).toEqual(Array.from(px));
    cropInto(px, S, { x0: 0, y0: 0, w: S, h: S, flip: true }, out, 0);
    expect([red(0, 0), red(3, 0), red(0, 2)]).toEqual([30, 0, 110]);
    // The crop x 1–2, y 1–2 (red 50 60 / 90 100) to 4×4: output x samples source x = (x + 0.5)/2 − 0.5,
    // clamped to [0, 1]: −0.25→0, 0.25, 0.75, 1.25→1; y likewise.
    cropInto(px, S, { x0: 1, y0: 1, w: 2, h: 2, flip: false }, out, 0);
    expect([red(0, 0), red(1, 0), red(2, 0), red(3, 0)]).toEqual([50, 52.5, 57.5, 60]);
    expect([red(0, 1), red(1, 1), red(0, 3), red(3, 3)]).toEqual([60, 62.5, 90, 100]);
    expect(out[2]).toBeCloseTo(7 / 127.5 - 1, 6);
  });

  it('batches: the same seed gives the same crops, another epoch other crops, no augmentation the stored pixels', async () => {
    const n = 6;
    const S = 8;
    const images = Uint8Array.from({ length: n * S * S * 3 }, (_, i) => (i * 37) % 256);
    const data: InMemoryDataset = {
      key: 'a',
      name: 'a',
      config: { kind: 'imported', key: 'a', name: 'a', size: S, count: n, source: 'csv' },
      size: S,
      count: n,
      images,
      labels: new Uint8Array(n),
      groups: new Int8Array(n),
      split: new Uint8Array(n).fill(SPLIT.train),
      classNames: ['a', 'b'],
      groupNames: ['m', 'f'],
    };
    const reader = new BatchReader(data);
    const idx = [5, 2, 0];
    const x = async (aug?: { seed: number; epoch: number }) => {
      const b = await reader.batch(idx, 0, 3, 2, aug);
      const v = Array.from(await b.x.data());
      disposeBatch(b);
      return v;
    };
    expect(await x({ seed: 1, epoch: 1 })).toEqual(await x({ seed: 1, epoch: 1 }));
    expect(await x({ seed: 1, epoch: 2 })).not.toEqual(await x({ seed: 1, epoch: 1 }));
    expect(await x({ seed: 2, epoch: 1 })).not.toEqual(await x({ seed: 1, epoch: 1 }));
    // Example 2's crop in the batch is its own draw, whatever its place in the batch.
    const own = new Float32Array(S * S * 3);
    cropInto(images.subarray(2 * S * S * 3, 3 * S * S * 3), S, cropFor(1, 1, 2, S), own, 0);
    expect((await x({ seed: 1, epoch: 1 })).slice(S * S * 3, 2 * S * S * 3)).toEqual(Array.from(own));
    expect((await x()).slice(0, 3)).toEqual(
      Array.from(images.subarray(5 * S * S * 3, 5 * S * S * 3 + 3), (v) => v / 127.5 - 1).map(Math.fround),
    );
  });

  it('a run with crop+flip on photos repeats exactly; the built-in data refuses it', { timeout: 120_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fdl-augment-'));
    const photos = makeFolder();
    const args = (out: string) => [
      '--preset',
      'tiny',
      '--data',
      `folder:${photos}`,
      '--data-cache',
      join(dir, 'cache'),
      '--image-size',
      '16',
      '--augment',
      'crop+flip',
      '--teacher-epochs',
      '2',
      '--student-epochs',
      '1',
      '--lambdas',
      '0',
      '--no-baseline',
      '--threads',
      '1',
      '--quiet',
      '--out',
      join(dir, out),
    ];
    await run(...labCommand(args('a.json')));
    await run(...labCommand(args('b.json')));
    const curve = (f: string) =>
      (JSON.parse(readFileSync(join(dir, f), 'utf8')) as { runs: { teacher: { curve: unknown } }[] }).runs[0].teacher
        .curve;
    expect(curve('a.json')).toEqual(curve('b.json'));
    // And the crops are in the training: without them the losses differ.
    await run(...labCommand(args('c.json').filter((a) => a !== '--augment' && a !== 'crop+flip')));
    expect(curve('c.json')).not.toEqual(curve('a.json'));
    const builtin = await run(...labCommand(['--augment', 'crop+flip'])).catch((e: { stderr: string }) => e);
    expect((builtin as { stderr: string }).stderr).toContain('Augmentation (crop+flip) is for photos');
  });
});
