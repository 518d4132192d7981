import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { imagenetInput } from '../engine/weights/imagenetTransform';
import { decodeImage } from './decodeImage';
import { writePhotoPng } from './imageFolderKit';
import type { Prediction } from './predictCommand';
import { labCommand } from './labUnderTest';

/**
 * --predict against torchvision: a randomly initialised efficientnet_b0 saved by torch.save, a 640×480
 * photo; the lab's transform gives torchvision's input tensor (Pillow's bicubic resize, the crop, the
 * normalisation) and the runner prints torchvision's top 5 with its probabilities.
 */

const PYTHON = '/usr/bin/python3';
const torchMissing = (() => {
  const r = spawnSync(PYTHON, ['-c', 'import torch, torchvision, PIL'], { encoding: 'utf8' });
  return r.status === 0 ? null : 'python3-torchvision or python3-pil is not installed';
})();

describe.skipIf(torchMissing)('--predict gives torchvision’s own top 5', () => {
  it('from a .pth and a 640×480 PNG: the same input tensor, the same classes, probabilities within 1e-4', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fd-predict-'));
    const image = join(dir, 'photo.png');
    writePhotoPng(image);
    const ref = spawnSync(PYTHON, [join('src/engine/weights/torchvision_reference.py'), dir, 'b0', '32', image], {
      encoding: 'utf8',
    });
    expect(ref.status, ref.stderr).toBe(0);
    const expected = JSON.parse(readFileSync(join(dir, 'reference.json'), 'utf8')).photo as {
      indices: number[];
      probabilities: number[];
    };
    // The transform alone: Pillow's bicubic resize to 341×256, the 224 crop, the normalisation.
    const raw = readFileSync(join(dir, 'photo.f32'));
    const torchInput = new Float32Array(raw.buffer, raw.byteOffset, raw.length / 4);
    const ours = imagenetInput(await decodeImage(readFileSync(image), 'photo.png'), 256, 224, 'bicubic');
    let worst = 0;
    for (let i = 0; i < ours.length; i++) worst = Math.max(worst, Math.abs(ours[i] - torchInput[i]));
    expect(worst).toBeLessThan(1e-6);

    const r = spawnSync(
      ...labCommand([
        '--predict',
        '--model',
        'efficientnet-b0',
        '--weights',
        join(dir, 'model.pth'),
        '--image',
        image,
        '--json',
      ]),
      { encoding: 'utf8' },
    );
    expect(r.status, r.stderr).toBe(0);
    const got = JSON.parse(r.stdout) as Prediction;
    expect(got.top5.map((t) => t.index)).toEqual(expected.indices);
    got.top5.forEach((t, i) => expect(Math.abs(t.probability - expected.probabilities[i])).toBeLessThan(1e-4));
  }, 180_000);
});
