/**
 * The lab's model architectures as plain data (EfficientNet-style stages, width and depth
 * multipliers): what the page lists and validates without loading tfjs. efficientnet.ts builds them.
 */

export interface StageSpec {
  expand: number;
  channels: number;
  repeats: number;
  kernel: number;
  stride: number;
}

export interface ArchSpec {
  stem: number;
  stemStride: number;
  stages: StageSpec[];
  head: number;
}

export interface ModelPreset {
  id: string;
  label: string;
  arch: ArchSpec;
  width: number;
  depth: number;
  /** Native input side; the lab feeds its dataset's size. */
  resolution: number;
  description: string;
  /**
   * torchvision's own network (torchvisionEfficientNet.ts), which torchvision and timm weight files fit;
   * `arch`, `width` and `depth` then only describe it.
   */
  torchvision?: 'b0' | 'b3';
}

/** EfficientNet-B0's stages (Table 1 of the paper). */
const B0: ArchSpec = {
  stem: 32,
  stemStride: 2,
  stages: [
    { expand: 1, channels: 16, repeats: 1, kernel: 3, stride: 1 },
    { expand: 6, channels: 24, repeats: 2, kernel: 3, stride: 2 },
    { expand: 6, channels: 40, repeats: 2, kernel: 5, stride: 2 },
    { expand: 6, channels: 80, repeats: 3, kernel: 3, stride: 2 },
    { expand: 6, channels: 112, repeats: 3, kernel: 5, stride: 1 },
    { expand: 6, channels: 192, repeats: 4, kernel: 5, stride: 2 },
    { expand: 6, channels: 320, repeats: 1, kernel: 3, stride: 1 },
  ],
  head: 1280,
};

/** Four stages for 16–64 px images: the same block, fewer downsamplings. */
const LAB: ArchSpec = {
  stem: 16,
  stemStride: 1,
  stages: [
    { expand: 1, channels: 16, repeats: 1, kernel: 3, stride: 1 },
    { expand: 4, channels: 24, repeats: 2, kernel: 3, stride: 2 },
    { expand: 4, channels: 40, repeats: 2, kernel: 5, stride: 2 },
    { expand: 4, channels: 64, repeats: 2, kernel: 3, stride: 2 },
  ],
  head: 256,
};

/** Two stages, for tests and CI on a CPU. */
const TINY: ArchSpec = {
  stem: 8,
  stemStride: 1,
  stages: [
    { expand: 1, channels: 8, repeats: 1, kernel: 3, stride: 1 },
    { expand: 3, channels: 16, repeats: 1, kernel: 3, stride: 2 },
  ],
  head: 32,
};

export const MODEL_PRESETS: ModelPreset[] = [
  {
    id: 'tiny-teacher',
    label: 'Tiny teacher',
    arch: TINY,
    width: 2,
    depth: 2,
    resolution: 16,
    description: 'Tests and CPU demos: trains in seconds.',
  },
  {
    id: 'tiny-student',
    label: 'Tiny student',
    arch: TINY,
    width: 0.5,
    depth: 1,
    resolution: 16,
    description: 'A quarter of the tiny teacher’s width.',
  },
  {
    id: 'small-student',
    label: 'Small student',
    arch: TINY,
    width: 1,
    depth: 1,
    resolution: 20,
    description: 'Half the tiny teacher’s width and depth: short of capacity for fine details, not for the cue.',
  },
  {
    id: 'lab-teacher',
    label: 'Lab teacher (b3-like)',
    arch: LAB,
    width: 1.2,
    depth: 1.4,
    resolution: 32,
    description: 'B3’s width/depth multipliers on the lab stages.',
  },
  {
    id: 'lab-student',
    label: 'Lab student (b0-like)',
    arch: LAB,
    width: 0.5,
    depth: 1,
    resolution: 32,
    description: 'Half-width lab stages: several times smaller than the teacher.',
  },
  {
    id: 'efficientnet-b0',
    label: 'EfficientNet-B0 (torchvision)',
    arch: B0,
    width: 1.0,
    depth: 1.0,
    resolution: 224,
    description:
      'The study’s student: torchvision’s efficientnet_b0 layer for layer (5,288,548 parameters with a 1000-class head); takes torchvision or timm weight files.',
    torchvision: 'b0',
  },
  {
    id: 'efficientnet-b3',
    label: 'EfficientNet-B3 (torchvision)',
    arch: B0,
    width: 1.2,
    depth: 1.4,
    resolution: 300,
    description:
      'The study’s teacher: torchvision’s efficientnet_b3 layer for layer (12,233,232 parameters with a 1000-class head); takes torchvision or timm weight files.',
    torchvision: 'b3',
  },
  // The shapes "efficientnet-b0/b3" named before the torchvision networks came (TensorFlow's asymmetric
  // "same" padding, batch norm ε 1e-3, no dropout or stochastic depth): kept under their own ids.
  {
    id: 'efficientnet-b0-style',
    label: 'EfficientNet-B0-style',
    arch: B0,
    width: 1.0,
    depth: 1.0,
    resolution: 224,
    description: 'B0’s stages in the lab’s own layers (what “efficientnet-b0” named before the torchvision network).',
  },
  {
    id: 'efficientnet-b3-style',
    label: 'EfficientNet-B3-style',
    arch: B0,
    width: 1.2,
    depth: 1.4,
    resolution: 300,
    description: 'B3’s multipliers on B0’s stages in the lab’s own layers (what “efficientnet-b3” named before).',
  },
];

export function modelPreset(id: string): ModelPreset {
  const p = MODEL_PRESETS.find((m) => m.id === id);
  if (!p) throw new Error(`Unknown model "${id}". Known: ${MODEL_PRESETS.map((m) => m.id).join(', ')}.`);
  return p;
}

/** The paper's channel rounding: multiples of 8, never more than 10% below the scaled width. */
export function roundFilters(channels: number, width: number, divisor = 8): number {
  const scaled = channels * width;
  let rounded = Math.max(divisor, Math.floor((scaled + divisor / 2) / divisor) * divisor);
  if (rounded < 0.9 * scaled) rounded += divisor;
  return rounded;
}

export function roundRepeats(repeats: number, depth: number): number {
  return Math.ceil(repeats * depth);
}
