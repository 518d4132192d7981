import { studyFlags } from '../engine/studyProtocol';

/**
 * `--study`: the study's protocol on your WIDER copy in one flag — torchvision's ImageNet-pretrained
 * EfficientNet-B3 fine-tuned and distilled into a pretrained B0 on WIDER Attribute's 16 clusters of whole
 * photos, with the study's four methods (CKD at T = 4, α = 0.9; RKD; CTKD; KD++) at its λ grid {0, 0.5, 1,
 * 2}; Adam at 1e-3 annealed to 0 (cosine), the new heads trained alone for the first epoch, random-resized
 * crops and flips while training, 224 px. Validation comes from trainval only (the lab's WIDER split). Any
 * of these flags given on the command line wins; the data and the two weight files must be given.
 */
export const STUDY_PROTOCOL: readonly [flag: string, value: string][] = [
  // The option table's protocol (engine/studyProtocol.ts), on the lab preset, with WIDER's options.
  ['--preset', 'lab'],
  ...studyFlags(),
  ['--wider-crop', 'image'],
  ['--wider-classes', 'clusters'],
];

/** The command line with the protocol's flags added where it does not give them; what it lacks, refused. */
export function withStudyProtocol(args: Map<string, string>): Map<string, string> {
  const missing = ['--teacher-weights', '--student-weights'].filter((f) => !args.has(f));
  if (!/^wider:/.test(args.get('--data') ?? '')) missing.unshift('--data wider:DIR');
  if (missing.length)
    throw new Error(
      `--study runs the study on your WIDER copy from ImageNet weights: give ${missing.join(', ')} (see "Run the study on your WIDER copy" in the README).`,
    );
  const out = new Map(args);
  out.delete('--study');
  for (const [flag, value] of STUDY_PROTOCOL) if (!out.has(flag)) out.set(flag, value);
  return out;
}
