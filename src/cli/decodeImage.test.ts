import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeImage } from './decodeImage';
import { webpSize } from './webpDecoder';
import { squareOf } from './folderData';

/**
 * The runner's photo decoding against Pillow's (libwebp, libjpeg, libpng in C): a 61×47 picture with
 * edges, gradients and noise saved by Pillow as lossless WebP, lossy WebP (quality 80) and PNG, then read
 * back by Pillow as 8-bit RGB. Lossless WebP and PNG must decode to the very same bytes; lossy WebP to
 * Pillow's own decoding of the same file, where only libwebp's versions may differ (the YUV→RGB
 * conversion is fixed-point, so a level at most).
 */

const PYTHON = '/usr/bin/python3';
const pilMissing = (() => {
  const r = spawnSync(PYTHON, ['-c', 'import PIL.features as f; assert f.check("webp")'], { encoding: 'utf8' });
  return r.status === 0 ? null : 'python3-pil with WebP is not installed';
})();

const MAKE = `
import sys, random
from PIL import Image
d = sys.argv[1]
random.seed(7)
img = Image.new('RGB', (61, 47))
px = img.load()
for y in range(47):
    for x in range(61):
        px[x, y] = ((x * 4) % 256, 255 if (x // 8 + y // 8) % 2 else 0, random.randrange(256))
img.save(d + '/lossless.webp', lossless=True)
img.save(d + '/lossy.webp', quality=80)
img.save(d + '/photo.png')
for name in ['lossless.webp', 'lossy.webp', 'photo.png']:
    back = Image.open(d + '/' + name).convert('RGB')
    assert back.size == (61, 47)
    open(d + '/' + name + '.rgb', 'wb').write(back.tobytes())
`;

describe.skipIf(pilMissing)('photos decoded in Node, as Pillow decodes them', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fd-decode-'));
  const made = spawnSync(PYTHON, ['-c', MAKE, dir], { encoding: 'utf8' });

  const worst = (a: Uint8Array, b: Uint8Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
  const decoded = async (name: string) => {
    expect(made.status, made.stderr).toBe(0);
    const img = await decodeImage(readFileSync(join(dir, name)), name);
    expect([img.width, img.height]).toEqual([61, 47]);
    return { ours: img.rgb, pillow: new Uint8Array(readFileSync(join(dir, `${name}.rgb`))) };
  };

  it('lossless WebP and PNG: the same bytes as Pillow', async () => {
    for (const name of ['lossless.webp', 'photo.png']) {
      const { ours, pillow } = await decoded(name);
      expect(ours.length).toBe(61 * 47 * 3);
      expect(worst(ours, pillow), name).toBe(0);
    }
  });

  it('lossy WebP: Pillow’s pixels within a level, and not the lossless picture', async () => {
    const { ours, pillow } = await decoded('lossy.webp');
    expect(worst(ours, pillow)).toBeLessThanOrEqual(1);
    // The lossy file really is lossy: far from the original somewhere, so the comparison above is not the
    // lossless one again.
    const original = new Uint8Array(readFileSync(join(dir, 'photo.png.rgb')));
    expect(worst(pillow, original)).toBeGreaterThan(20);
  });

  it('a WebP photo is cut and resized as a PNG of the same pixels is', async () => {
    const a = await squareOf('lossless.webp', readFileSync(join(dir, 'lossless.webp')), 16);
    const b = await squareOf('photo.png', readFileSync(join(dir, 'photo.png')), 16);
    expect(worst(a, b)).toBe(0);
    expect(a.length).toBe(16 * 16 * 3);
  });

  it('a WebP file’s size is read from its header before decoding; a huge one is refused by its size', async () => {
    expect(made.status, made.stderr).toBe(0);
    for (const name of ['lossless.webp', 'lossy.webp'])
      expect(webpSize(readFileSync(join(dir, name))), name).toEqual({ width: 61, height: 47 });
    // An extended (VP8X) header claiming 20,000 × 20,000 (width − 1 and height − 1, 24 bits each).
    const huge = new Uint8Array(40);
    huge.set(new TextEncoder().encode('RIFF\0\0\0\0WEBPVP8X'), 0);
    huge.set([0x1f, 0x4e, 0x00, 0x1f, 0x4e, 0x00], 24);
    expect(webpSize(huge)).toEqual({ width: 20000, height: 20000 });
    await expect(decodeImage(huge, 'huge.webp')).rejects.toThrow(
      'huge.webp cannot be read as a photo: it is 20000×20000 pixels, more than the 256 M the lab decodes.',
    );
  });

  it('a file that is no photo is named, with what the runner reads', async () => {
    writeFileSync(join(dir, 'fake.webp'), 'RIFF\0\0\0\0WEBPnot really');
    await expect(decodeImage(readFileSync(join(dir, 'fake.webp')), 'fake.webp')).rejects.toThrow(
      /fake\.webp cannot be read as a photo/,
    );
    await expect(decodeImage(new TextEncoder().encode('GIF89a'), 'anim.gif')).rejects.toThrow(
      'anim.gif cannot be read as a photo: neither PNG, JPEG nor WebP.',
    );
  });
});
