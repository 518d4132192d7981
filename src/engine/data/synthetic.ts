import { createRng, gaussian, subSeed } from '../random';
import type { InMemoryDataset, SyntheticDatasetConfig } from '../types';
import { SPLIT_FRACTIONS, stratifiedSplit } from './split';
import { datasetKey } from './key';
import { renderShortcutExample } from './shortcutEvents';

/**
 * The built-in dataset: seeded RGB images of K "events" with a binary protected group.
 *
 * Classes come in confusable pairs (2k, 2k+1) that share two of their three colour blobs, and
 * the two members of a pair lean towards opposite groups. The group paints a cue (a tint and a
 * corner mark), so a model can use the group to tell the members of a pair apart: exactly the
 * shortcut whose inheritance by a student the lab studies. Same config → byte-identical data.
 */

export const SYNTHETIC_VERSION = 1;

export const EVENT_NAMES = [
  'Team sports',
  'Celebration',
  'Parade',
  'Waiter/Waitress',
  'Individual sports',
  'Surgeons',
  'Spa',
  'Law enforcement',
  'Business',
  'Dresses',
  'Water activities',
  'Picnic',
  'Rescue',
  'Cheering',
  'Performance',
  'Family',
];

/** Per-pair lean towards group A in [-1, 1]; the pair's second class gets the opposite sign. */
const PAIR_LEAN = [0.9, 0.7, 0, 0.8, 0.5, 0.95, 0.3, 0.6];

export const SYNTHETIC_PRESETS: Record<'tiny' | 'quick' | 'lab', SyntheticDatasetConfig> = {
  tiny: {
    kind: 'synthetic',
    size: 16,
    examples: 480,
    classes: 4,
    biasStrength: 0.8,
    labelNoise: 0.02,
    cueStrength: 0.8,
    seed: 7,
  },
  quick: {
    kind: 'synthetic',
    design: 'shortcut',
    size: 20,
    examples: 1200,
    classes: 4,
    biasStrength: 0.8,
    labelNoise: 0,
    cueStrength: 0.8,
    seed: 7,
  },
  // The shortcut design with details the teacher too can only partly read: in a leaning pair a tenth of
  // the images (× the lean) have no detail drawn, so even the teacher has only the group there, and
  // the detail is fainter (0.7) than on quick, so the half-width student reads less of it than the teacher.
  lab: {
    kind: 'synthetic',
    design: 'shortcut',
    size: 32,
    examples: 4000,
    classes: 8,
    biasStrength: 0.8,
    labelNoise: 0,
    cueStrength: 0.8,
    hiddenDetail: 0.1,
    detailContrast: 0.7,
    seed: 7,
  },
};

/** The cache key of a synthetic dataset: its settings and the generator's version. */
export function syntheticKey(config: SyntheticDatasetConfig): string {
  return datasetKey(config, SYNTHETIC_VERSION);
}

/** Probability that an example of class c belongs to group A (group index 0). */
export function groupAShare(classIndex: number, classes: number, biasStrength: number): number {
  const pair = Math.floor(classIndex / 2);
  let lean = PAIR_LEAN[pair % PAIR_LEAN.length];
  // A lone last class (odd K) stays balanced.
  if (classIndex === classes - 1 && classes % 2 === 1) lean = 0;
  const sign = classIndex % 2 === 0 ? 1 : -1;
  return 0.5 + 0.5 * biasStrength * lean * sign;
}

interface Blob {
  x: number;
  y: number;
  r: number;
  color: [number, number, number];
}

function randomBlob(rng: () => number): Blob {
  return {
    x: 0.2 + 0.6 * rng(),
    y: 0.2 + 0.6 * rng(),
    r: 0.1 + 0.12 * rng(),
    color: [rng() * 2 - 1, rng() * 2 - 1, rng() * 2 - 1],
  };
}

function classPrototypes(classes: number, seed: number): Blob[][] {
  const rng = createRng(subSeed(seed, 'prototypes'));
  const protos: Blob[][] = [];
  for (let c = 0; c < classes; c += 2) {
    const shared = [randomBlob(rng), randomBlob(rng)];
    protos.push([...shared, randomBlob(rng)]);
    if (c + 1 < classes) protos.push([...shared, randomBlob(rng)]);
  }
  return protos;
}

export function validateSyntheticConfig(c: SyntheticDatasetConfig): string[] {
  const errors: string[] = [];
  if (!Number.isInteger(c.size) || c.size < 8 || c.size > 256)
    errors.push('Image size must be a whole number from 8 to 256.');
  if (!Number.isInteger(c.classes) || c.classes < 2 || c.classes > EVENT_NAMES.length)
    errors.push(`Classes must be a whole number from 2 to ${EVENT_NAMES.length}.`);
  if (!Number.isInteger(c.examples) || c.examples < 10 * Math.max(2, c.classes) || c.examples > 200_000)
    errors.push('Examples must be at least 10 per class and at most 200,000.');
  if (!(c.biasStrength >= 0 && c.biasStrength <= 1)) errors.push('Bias strength must be between 0 and 1.');
  if (!(c.labelNoise >= 0 && c.labelNoise < 0.5)) errors.push('Label noise must be at least 0 and below 0.5.');
  if (!(c.cueStrength >= 0 && c.cueStrength <= 1)) errors.push('Cue strength must be between 0 and 1.');
  if (!Number.isInteger(c.seed)) errors.push('Seed must be a whole number.');
  if (c.design !== undefined && c.design !== 'pairs' && c.design !== 'shortcut')
    errors.push('The design must be "pairs" or "shortcut".');
  if (c.design === 'shortcut' && c.size < 12) errors.push('The shortcut design needs images of at least 12 px.');
  if (c.hiddenDetail !== undefined && !(c.hiddenDetail >= 0 && c.hiddenDetail <= 1))
    errors.push('Hidden detail must be between 0 and 1.');
  if (c.detailContrast !== undefined && !(c.detailContrast > 0 && c.detailContrast <= 4))
    errors.push('Detail contrast must be above 0 and at most 4.');
  if (c.design !== 'shortcut' && (c.hiddenDetail || (c.detailContrast ?? 1) !== 1))
    errors.push('Hidden detail and detail contrast belong to the shortcut design.');
  return errors;
}

export function generateSynthetic(config: SyntheticDatasetConfig): InMemoryDataset {
  const errors = validateSyntheticConfig(config);
  if (errors.length) throw new Error(`Invalid dataset settings: ${errors.join(' ')}`);
  if (config.design === 'shortcut') return generateShortcut(config);
  const { size, examples, classes, biasStrength, labelNoise, cueStrength, seed } = config;
  const rng = createRng(subSeed(seed, 'examples'));
  const protos = classPrototypes(classes, seed);
  const pixels = size * size * 3;
  const images = new Uint8Array(examples * pixels);
  const labels = new Uint8Array(examples);
  const groups = new Int8Array(examples);
  const buf = new Float32Array(pixels);
  const mark = Math.max(2, Math.round(size / 8));

  for (let n = 0; n < examples; n++) {
    const c = n % classes; // balanced classes, order scrambled by the split
    const g = rng() < groupAShare(c, classes, biasStrength) ? 0 : 1;
    const dx = (rng() - 0.5) * 0.25;
    const dy = (rng() - 0.5) * 0.25;
    const gain = 0.7 + 0.6 * rng();
    const bg = 90 + 60 * rng();
    for (let i = 0; i < pixels; i++) buf[i] = bg + 22 * gaussian(rng);
    for (const b of protos[c]) {
      const cx = (b.x + dx) * size;
      const cy = (b.y + dy) * size;
      const r2 = (b.r * size) ** 2;
      for (let y = 0; y < size; y++) {
        for (let x = 0; x < size; x++) {
          const w = gain * 70 * Math.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * r2));
          const o = (y * size + x) * 3;
          buf[o] += w * b.color[0];
          buf[o + 1] += w * b.color[1];
          buf[o + 2] += w * b.color[2];
        }
      }
    }
    // The group cue: a warm or cool tint and a bright mark in the group's corner.
    const tint = 30 * cueStrength * (g === 0 ? 1 : -1);
    const markX0 = g === 0 ? 0 : size - mark;
    const showMark = rng() < 0.5 + 0.45 * cueStrength;
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const o = (y * size + x) * 3;
        buf[o] += tint;
        buf[o + 2] -= tint;
        if (showMark && y < mark && x >= markX0 && x < markX0 + mark) {
          buf[o] += 110 * cueStrength;
          buf[o + 1] += 110 * cueStrength;
          buf[o + 2] += 110 * cueStrength;
        }
      }
    }
    const base = n * pixels;
    for (let i = 0; i < pixels; i++) images[base + i] = Math.max(0, Math.min(255, Math.round(buf[i])));
    let label = c;
    if (rng() < labelNoise) label = (c + 1 + Math.floor(rng() * (classes - 1))) % classes;
    labels[n] = label;
    groups[n] = g;
  }

  return assemble(
    config,
    `Built-in events (${classes} classes, ${size}×${size}, bias ${biasStrength})`,
    images,
    labels,
    groups,
  );
}

/** A generated dataset: its pixels, labels and groups, split (seeded, stratified) and named. */
function assemble(
  config: SyntheticDatasetConfig,
  name: string,
  images: Uint8Array,
  labels: Uint8Array,
  groups: Int8Array,
): InMemoryDataset {
  return {
    key: syntheticKey(config),
    name,
    config,
    size: config.size,
    count: config.examples,
    images,
    labels,
    groups,
    split: stratifiedSplit(labels, groups, { ...SPLIT_FRACTIONS, seed: subSeed(config.seed, 'split') }),
    classNames: EVENT_NAMES.slice(0, config.classes),
    groupNames: ['group A', 'group B'],
  };
}

/** The shortcut design (shortcutEvents.ts): every example rendered from its own seeded stream. */
function generateShortcut(config: SyntheticDatasetConfig): InMemoryDataset {
  const { size, examples, classes } = config;
  const px = size * size * 3;
  const images = new Uint8Array(examples * px);
  const labels = new Uint8Array(examples);
  const groups = new Int8Array(examples);
  for (let n = 0; n < examples; n++) {
    const e = renderShortcutExample(config, n);
    images.set(e.pixels, n * px);
    labels[n] = e.label;
    groups[n] = e.group;
  }
  return assemble(
    config,
    `Built-in shortcut events (${classes} classes, ${size}×${size}, bias ${config.biasStrength})`,
    images,
    labels,
    groups,
  );
}
