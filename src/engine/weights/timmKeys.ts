/**
 * timm's key names for its EfficientNets (efficientnet_b0.ra_in1k, efficientnet_b3.ra2_in1k: the weights
 * torchvision's were ported from), translated to torchvision's, block by block:
 *   conv_stem / bn1 → features.0.0 / .1;  conv_head / bn2 → features.<last>.0 / .1;  classifier → classifier.1;
 *   blocks.s.b of the first stage (DepthwiseSeparableConv): conv_dw, bn1, se, conv_pw, bn2;
 *   blocks.s.b elsewhere (InvertedResidual): conv_pw, bn1, conv_dw, bn2, se, conv_pwl, bn3;
 *   se.conv_reduce / se.conv_expand → fc1 / fc2.
 */
export function isTimmEfficientNet(names: Iterable<string>): boolean {
  for (const n of names) if (n.startsWith('conv_stem.')) return true;
  return false;
}

const FIRST_STAGE: Record<string, string> = {
  conv_dw: 'block.0.0',
  bn1: 'block.0.1',
  'se.conv_reduce': 'block.1.fc1',
  'se.conv_expand': 'block.1.fc2',
  conv_pw: 'block.2.0',
  bn2: 'block.2.1',
};
const INVERTED: Record<string, string> = {
  conv_pw: 'block.0.0',
  bn1: 'block.0.1',
  conv_dw: 'block.1.0',
  bn2: 'block.1.1',
  'se.conv_reduce': 'block.2.fc1',
  'se.conv_expand': 'block.2.fc2',
  conv_pwl: 'block.3.0',
  bn3: 'block.3.1',
};

/** The torchvision key of a timm key (the head's stage is `lastStage`, 8 for B0–B7), or null when it has none. */
export function timmToTorchvision(name: string, lastStage = 8): string | null {
  const top: [RegExp, string][] = [
    [/^conv_stem\.(.+)$/, 'features.0.0.$1'],
    [/^bn1\.(.+)$/, 'features.0.1.$1'],
    [/^conv_head\.(.+)$/, `features.${lastStage}.0.$1`],
    [/^bn2\.(.+)$/, `features.${lastStage}.1.$1`],
    [/^classifier\.(.+)$/, 'classifier.1.$1'],
  ];
  for (const [re, to] of top) if (re.test(name)) return name.replace(re, to);
  const m = /^blocks\.(\d+)\.(\d+)\.((?:se\.)?[a-z0-9_]+)\.(.+)$/.exec(name);
  if (!m) return null;
  const [, stage, block, module, rest] = m;
  const table = stage === '0' ? FIRST_STAGE : INVERTED;
  const to = table[module];
  return to ? `features.${Number(stage) + 1}.${block}.${to}.${rest}` : null;
}
