import { describe, expect, it } from 'vitest';
import { flipRate } from '../metrics/fairness';
import { generateSynthetic, SYNTHETIC_PRESETS } from './synthetic';
import { counterfactualTwins, cueFrame, renderShortcutExample, shortcutGroupShare } from './shortcutEvents';

const quick = SYNTHETIC_PRESETS.quick;

describe('the shortcut design and its counterfactual twins', () => {
  it('a twin differs from its image only inside the cue frame, and there in every pixel of the frame', () => {
    const size = quick.size;
    const frame = cueFrame(size);
    for (const n of [0, 1, 2, 3, 57, 1199]) {
      const own = renderShortcutExample(quick, n);
      const twin = renderShortcutExample(quick, n, own.group === 0 ? 1 : 0);
      expect(twin.classIndex).toBe(own.classIndex);
      expect(twin.label).toBe(own.label);
      let inside = 0;
      let frameChanged = 0;
      let framePixels = 0;
      for (let y = 0; y < size; y++)
        for (let x = 0; x < size; x++) {
          const inFrame = x < frame || y < frame || x >= size - frame || y >= size - frame;
          const o = (y * size + x) * 3;
          const same = [0, 1, 2].every((ch) => own.pixels[o + ch] === twin.pixels[o + ch]);
          if (inFrame) {
            framePixels++;
            if (!same) frameChanged++;
          } else if (!same) inside++;
        }
      expect(inside).toBe(0);
      // Warm vs cool: red up and blue down for group A, the other way for B (clipping aside).
      expect(frameChanged / framePixels).toBeGreaterThan(0.95);
    }
  });

  it('the dataset is its examples, and twins are those examples with the other group', () => {
    const d = generateSynthetic({ ...quick, examples: 40 });
    const px = quick.size * quick.size * 3;
    const idx = [3, 10, 17];
    const twins = counterfactualTwins({ ...quick, examples: 40 }, idx, d.groups);
    idx.forEach((i, j) => {
      const e = renderShortcutExample(quick, i);
      expect(Array.from(d.images.subarray(i * px, (i + 1) * px))).toEqual(Array.from(e.pixels));
      expect(d.groups[i]).toBe(e.group);
      const t = renderShortcutExample(quick, i, d.groups[i] === 0 ? 1 : 0).pixels;
      expect(Array.from(twins.subarray(j * px, (j + 1) * px))).toEqual(Array.from(t));
    });
  });

  it('some pairs lean 90/10 to opposite groups and others are balanced, as designed', () => {
    const d = generateSynthetic({ ...quick, examples: 4000 });
    const share = (c: number) => {
      let a = 0;
      let n = 0;
      for (let i = 0; i < d.count; i++)
        if (d.labels[i] === c) {
          n++;
          if (d.groups[i] === 0) a++;
        }
      return a / n;
    };
    expect(shortcutGroupShare(0, 4, 0.8)).toBeCloseTo(0.9, 12);
    expect(shortcutGroupShare(1, 4, 0.8)).toBeCloseTo(0.1, 12);
    expect(shortcutGroupShare(2, 4, 0.8)).toBe(0.5);
    for (let c = 0; c < 4; c++) expect(share(c)).toBeCloseTo(shortcutGroupShare(c, 4, 0.8), 1);
  });

  it('the flip rate is the share of predictions that change with the group, on hand-made predictions', () => {
    expect(flipRate([0, 1, 2, 3], [0, 1, 2, 3])).toBe(0);
    expect(flipRate([0, 1, 2, 3], [1, 1, 2, 0])).toBe(0.5);
    expect(flipRate([], [])).toBeNull();
  });
});
