import { isProblem, OPTIONS, type Setup } from './options';

/**
 * The study's protocol on WIDER Attribute, by the option table's names: torchvision's ImageNet-pretrained
 * EfficientNet-B3 fine-tuned and distilled into a pretrained B0 at 224 px, with the study's four methods
 * (CKD at T = 4, α = 0.9 — the catalog's defaults; RKD; CTKD; KD++) at its λ grid {0, 0.5, 1, 2}; Adam at
 * 1e-3 annealed to 0 (cosine), the new heads trained alone for the first epoch, random-resized crops and
 * flips while training, 10 epochs each, batch 16. The data (16 clusters of whole photos, validation from
 * trainval) and the two weight files are the user's to give: the runner's `--study`, the page's
 * "Use the study's protocol".
 */
export const STUDY_SETTINGS: readonly [option: string, value: string][] = [
  ['teacher', 'efficientnet-b3'],
  ['student', 'efficientnet-b0'],
  ['imageSize', '224'],
  ['methods', 'kd,rkd,ctkd,kdpp'],
  ['lambdas', '0,0.5,1,2'],
  ['learningRate', '0.001'],
  ['lrSchedule', 'cosine'],
  ['freezeEpochs', '1'],
  ['batchSize', '16'],
  ['augment', 'crop+flip'],
  ['teacherEpochs', '10'],
  ['studentEpochs', '10'],
];

/** The protocol's settings put into a setup (each through its option's own parse and set). */
export function withStudySettings(setup: Setup): Setup {
  const out: Setup = structuredClone(setup);
  for (const [name, text] of STUDY_SETTINGS) {
    const o = OPTIONS.find((x) => x.name === name);
    if (!o) throw new Error(`The study's protocol names ${name}, which is not an option.`);
    const v = o.parse(text);
    if (isProblem(v)) throw new Error(`The study's ${name} ${text}: ${v.problem}.`);
    o.set(out, v);
  }
  return out;
}

/** The protocol as command-line flags (the runner's --study). */
export function studyFlags(): [flag: string, value: string][] {
  return STUDY_SETTINGS.map(([name, value]) => [OPTIONS.find((o) => o.name === name)!.cliFlag!, value]);
}
