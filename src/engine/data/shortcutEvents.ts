import { createRng, gaussian, subSeed } from '../random';
import type { SyntheticDatasetConfig } from '../types';

/**
 * The built-in dataset's second design ("shortcut events"), made to carry the mechanism the lab
 * studies. Classes come in pairs that share their scene (two colour blobs) and differ only by a small,
 * faint detail — a short bar, horizontal in one member and vertical in the other — that a large model
 * learns and a small one learns only partly. The protected group paints a cue that is cheap to read: a
 * warm or cool frame around the image, nothing inside it. Some pairs lean strongly towards one group
 * per member (as WIDER Attribute's scenes do), others are balanced; so the cue is a shortcut for
 * telling a pair's members apart exactly where the detail is hard.
 *
 * Every example is drawn from its own seeded stream, so it can be rendered again with only the group
 * changed: its counterfactual twin, byte-identical outside the frame.
 */

/**
 * Per pair: how strongly its members lean to opposite groups (0 = balanced). The leaning pairs are
 * also the hard ones — their telling detail is faint — as fine-grained scenes that skew towards one
 * group are in WIDER Attribute ("Surgeons" vs "Spa"); balanced pairs are easy to tell apart.
 */
const PAIR_LEAN = [1, 0, 0.9, 0, 1, 0.4, 0.8, 0];

/** The detail's contrast (grey levels) and length (share of the inner image) for a pair's lean. */
export const detailStrength = (lean: number) => ({ contrast: 95 - 30 * lean, length: 0.3 - 0.08 * lean });

function pairLean(classIndex: number, classes: number): number {
  return classIndex === classes - 1 && classes % 2 === 1 ? 0 : PAIR_LEAN[Math.floor(classIndex / 2) % PAIR_LEAN.length];
}

/** Probability that an example of class c belongs to group A (group index 0). */
export function shortcutGroupShare(classIndex: number, classes: number, biasStrength: number): number {
  return 0.5 + 0.5 * biasStrength * pairLean(classIndex, classes) * (classIndex % 2 === 0 ? 1 : -1);
}

/** Width of the cue frame in pixels: the only pixels a counterfactual twin changes. */
export function cueFrame(size: number): number {
  return Math.max(1, Math.round(size / 10));
}

interface Scene {
  blobs: { x: number; y: number; r: number; color: [number, number, number] }[];
  /** Where the pair's telling detail sits (its centre, as a share of the inner image). */
  detail: { x: number; y: number };
}

function scenes(classes: number, seed: number): Scene[] {
  const rng = createRng(subSeed(seed, 'scenes'));
  const blob = () => ({
    x: 0.25 + 0.5 * rng(),
    y: 0.25 + 0.5 * rng(),
    r: 0.12 + 0.1 * rng(),
    color: [rng() * 2 - 1, rng() * 2 - 1, rng() * 2 - 1] as [number, number, number],
  });
  return Array.from({ length: Math.ceil(classes / 2) }, () => ({
    blobs: [blob(), blob()],
    detail: { x: 0.35 + 0.3 * rng(), y: 0.35 + 0.3 * rng() },
  }));
}

const cache = new Map<string, Scene[]>();
function scenesOf(config: SyntheticDatasetConfig): Scene[] {
  const key = `${config.classes}:${config.seed}`;
  let s = cache.get(key);
  if (!s) cache.set(key, (s = scenes(config.classes, config.seed)));
  return s;
}

/**
 * The group cue: a warm (group A) or cool (group B) frame, outside everything the class is drawn
 * with. Works on float pixels being drawn, or on a decoded photo's bytes (the photo demo), clamped.
 */
export function paintCue(pixels: Float32Array | Uint8Array, size: number, group: 0 | 1, cueStrength: number): void {
  const frame = cueFrame(size);
  const warm = 60 * cueStrength * (group === 0 ? 1 : -1);
  const clamp =
    pixels instanceof Uint8Array ? (v: number) => Math.max(0, Math.min(255, Math.round(v))) : (v: number) => v;
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) {
      if (x >= frame && y >= frame && x < size - frame && y < size - frame) continue;
      const o = (y * size + x) * 3;
      pixels[o] = clamp(pixels[o] + warm);
      pixels[o + 2] = clamp(pixels[o + 2] - warm);
    }
}

/**
 * Whether example n's detail is left out (the hidden-detail setting). Drawn from a stream of its own,
 * so the other draws — and every dataset made without the setting — stay as they were.
 */
export function detailHidden(config: SyntheticDatasetConfig, n: number, lean: number): boolean {
  const share = (config.hiddenDetail ?? 0) * lean;
  return share > 0 && createRng(subSeed(config.seed, `hidden:${n}`))() < share;
}

/** One example: its class, group and label (with label noise), and its pixels (HWC RGB). */
export interface RenderedExample {
  classIndex: number;
  group: 0 | 1;
  label: number;
  pixels: Uint8Array;
}

/**
 * Renders example n. `group` replaces the example's own group (its counterfactual twin): every other
 * draw is the same, so only the frame changes.
 */
export function renderShortcutExample(config: SyntheticDatasetConfig, n: number, group?: 0 | 1): RenderedExample {
  const { size, classes, biasStrength, labelNoise, cueStrength } = config;
  const rng = createRng(subSeed(config.seed, `example:${n}`));
  const c = n % classes;
  const own: 0 | 1 = rng() < shortcutGroupShare(c, classes, biasStrength) ? 0 : 1;
  const g = group ?? own;
  const scene = scenesOf(config)[Math.floor(c / 2)];
  const frame = cueFrame(size);
  const inner = size - 2 * frame;
  const buf = new Float32Array(size * size * 3);
  const bg = 100 + 40 * rng();
  for (let i = 0; i < buf.length; i++) buf[i] = bg + 24 * gaussian(rng);
  const dx = (rng() - 0.5) * 0.2;
  const dy = (rng() - 0.5) * 0.2;
  const gain = 0.6 + 0.8 * rng();
  const paint = (cx: number, cy: number, sigma: number, amp: number, color: [number, number, number]) => {
    for (let y = frame; y < size - frame; y++)
      for (let x = frame; x < size - frame; x++) {
        const w = amp * Math.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * sigma * sigma));
        const o = (y * size + x) * 3;
        buf[o] += w * color[0];
        buf[o + 1] += w * color[1];
        buf[o + 2] += w * color[2];
      }
  };
  for (const b of scene.blobs)
    paint(frame + (b.x + dx) * inner, frame + (b.y + dy) * inner, b.r * inner, gain * 70, b.color);
  // The telling detail: a short bright bar, horizontal for the pair's first class, vertical for its second.
  const lean = pairLean(c, classes);
  const strength = detailStrength(lean);
  const len = Math.max(2, Math.round(inner * strength.length));
  const bx = frame + (scene.detail.x + dx + (rng() - 0.5) * 0.12) * inner;
  const by = frame + (scene.detail.y + dy + (rng() - 0.5) * 0.12) * inner;
  const contrast = strength.contrast * (config.detailContrast ?? 1) * (0.8 + 0.4 * rng());
  const drawn = detailHidden(config, n, lean) ? 0 : len;
  for (let k = 0; k < drawn; k++) {
    const off = k - (len - 1) / 2;
    const [px, py] = c % 2 === 0 ? [bx + off, by] : [bx, by + off];
    const x = Math.round(px);
    const y = Math.round(py);
    if (x < frame || y < frame || x >= size - frame || y >= size - frame) continue;
    const o = (y * size + x) * 3;
    for (let ch = 0; ch < 3; ch++) buf[o + ch] += contrast;
  }
  paintCue(buf, size, g, cueStrength);
  const pixels = new Uint8Array(buf.length);
  for (let i = 0; i < buf.length; i++) pixels[i] = Math.max(0, Math.min(255, Math.round(buf[i])));
  let label = c;
  if (rng() < labelNoise) label = (c + 1 + Math.floor(rng() * (classes - 1))) % classes;
  return { classIndex: c, group: own, label, pixels };
}

/** The test images again with only the group flipped: one twin per index, in order. */
export function counterfactualTwins(
  config: SyntheticDatasetConfig,
  indices: ArrayLike<number>,
  groups: ArrayLike<number>,
): Uint8Array {
  const px = config.size * config.size * 3;
  const out = new Uint8Array(indices.length * px);
  for (let j = 0; j < indices.length; j++) {
    const other = groups[indices[j]] === 0 ? 1 : 0;
    out.set(renderShortcutExample(config, indices[j], other).pixels, j * px);
  }
  return out;
}
