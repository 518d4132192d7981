import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SPLIT } from '../types';
import { generateSynthetic, groupAShare, SYNTHETIC_PRESETS, validateSyntheticConfig } from './synthetic';

const sha = (a: ArrayBufferView) =>
  createHash('sha256')
    .update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength))
    .digest('hex');

describe('built-in synthetic dataset', () => {
  const tiny = SYNTHETIC_PRESETS.tiny;

  it('the same seed gives byte-identical data; another seed does not', () => {
    const a = generateSynthetic(tiny);
    const b = generateSynthetic({ ...tiny });
    expect(sha(a.images)).toBe(sha(b.images));
    expect(sha(a.labels)).toBe(sha(b.labels));
    expect(sha(a.groups)).toBe(sha(b.groups));
    expect(sha(a.split)).toBe(sha(b.split));
    const c = generateSynthetic({ ...tiny, seed: tiny.seed + 1 });
    expect(sha(c.images)).not.toBe(sha(a.images));
    expect(a.key).not.toBe(c.key);
  });

  it('each class has its own group ratio, as designed, and pairs lean opposite ways', () => {
    const d = generateSynthetic({ ...tiny, examples: 4000, labelNoise: 0 });
    for (let c = 0; c < 4; c++) {
      let a = 0,
        n = 0;
      for (let i = 0; i < d.count; i++)
        if (d.labels[i] === c) {
          n++;
          if (d.groups[i] === 0) a++;
        }
      expect(a / n).toBeCloseTo(groupAShare(c, 4, tiny.biasStrength), 1);
    }
    expect(groupAShare(0, 4, 0.8)).toBeGreaterThan(0.8);
    expect(groupAShare(1, 4, 0.8)).toBeLessThan(0.2);
    expect(groupAShare(0, 4, 0)).toBe(0.5);
  });

  it('the group leaves a visible cue: the mean red−blue tint differs between groups', () => {
    const d = generateSynthetic(tiny);
    const px = d.size * d.size * 3;
    const tint = [0, 0];
    const count = [0, 0];
    for (let i = 0; i < d.count; i++) {
      let s = 0;
      for (let p = 0; p < px; p += 3) s += d.images[i * px + p] - d.images[i * px + p + 2];
      tint[d.groups[i]] += s / (px / 3);
      count[d.groups[i]]++;
    }
    expect(tint[0] / count[0] - tint[1] / count[1]).toBeGreaterThan(40);
  });

  it('split is stratified: train, val and test all hold every (class, group) cell', () => {
    const d = generateSynthetic(tiny);
    for (const code of [SPLIT.train, SPLIT.val, SPLIT.test]) {
      const cells = new Set<string>();
      for (let i = 0; i < d.count; i++) if (d.split[i] === code) cells.add(`${d.labels[i]}:${d.groups[i]}`);
      expect(cells.size).toBe(8);
    }
    const test = d.split.filter((s) => s === SPLIT.test).length;
    expect(test / d.count).toBeCloseTo(0.25, 1);
  });

  it('bad settings get clear messages', () => {
    expect(validateSyntheticConfig({ ...tiny, classes: 1, biasStrength: 2, size: 3 })).toEqual([
      'Image size must be a whole number from 8 to 256.',
      'Classes must be a whole number from 2 to 16.',
      'Bias strength must be between 0 and 1.',
    ]);
    expect(() => generateSynthetic({ ...tiny, examples: 5 })).toThrow(/Examples must be at least 10 per class/);
  });
});
