import { cliOptionHelp } from '../engine/options';
import { DEFAULT_DATA_CACHE } from './runnerData';
import { STUDY_PROTOCOL } from './studyProtocol';

/** The runner's command line: its usage text, and flags and values read into a map (a flag given twice refused). */

export const USAGE = [
  'Usage: npm run lab -- [options] [--seeds 0,1,2] [--no-baseline] [--out results.json] [--checkpoint run.ckpt] [--quiet]',
  '       npm run lab -- --check-backends [--backends cpu,wasm,webgpu] [options] [--out check.json]   (the same',
  '                    seeded work on each backend, compared with the first within stated tolerances; exit',
  '                    status 1 when a backend disagrees)',
  "                    webgpu:tfjs,webgpu:gradients,webgpu:own compares tfjs's WebGPU kernels with the lab's",
  '                    gradient kernels, and with its fused programs too',
  '       npm run lab -- --merge seed0.json,seed1.json [--out all.json]   (one table over runs made apart,',
  '                    e.g. one seed per process to use every core)',
  '       npm run lab -- [options] --data folder:DIR|wider:DIR [--wider-crop image|person] [--wider-classes clusters|scenes]',
  '                    [--data-cache DIR] [--prepare]',
  '                    (real photos: a folder with labels.csv, or a WIDER Attribute copy, prepared at --image-size',
  "                    as the page's import prepares them, PNG and JPEG, into chunks on disk under --data-cache",
  `                    (default ${DEFAULT_DATA_CACHE}/) read a few at a time; --prepare: prepare and read every batch`,
  '                    once, no training — time, images/s and peak memory, as JSON with --out)',
  '       npm run lab -- --study --data wider:DIR --teacher-weights B3.pth --student-weights B0.pth [--backend webgpu]',
  `                    (the study's protocol: ${STUDY_PROTOCOL.map(([f, v]) => `${f} ${v}`).join(' ')};`,
  '                    any of these given wins; with --plan, a sweep of it over machines)',
  '       npm run lab -- --predict --model efficientnet-b0|efficientnet-b3 --weights FILE --image PHOTO [--json]',
  '                    (the top 5 ImageNet classes a torchvision or timm weight file sees in a PNG or JPEG photo)',
  'Sweeps over machines (a job runner starts the shards; see deploy/):',
  '       npm run lab -- --plan sweep/manifest.json [options] [--seeds 0,1,2] [--shards n]   (writes the manifest)',
  '       npm run lab -- --manifest sweep/manifest.json --shard i/n [--backend …] [--results DIR] [--teachers DIR]',
  '                    (i from JOB_COMPLETION_INDEX or SLURM_ARRAY_TASK_ID with --shard auto/n)',
  '       npm run lab -- --merge sweep/manifest.json [--results DIR,DIR] [--out all.json]',
  '       --kernels relaxed+fused|simd+fused|relaxed|simd|off|tfjs   wasm: the own SIMD convolution kernels',
  '                    with fused multiply-add where the engine has it (relaxed) or without (simd), and with',
  '                    +fused the fused swish, batch norm, SE scaling and Adam (relaxed+fused: the default);',
  '                    off: XNNPACK compositions and JavaScript loops, as before the kernels existed. webgpu:',
  '                    the own gradient programs with the fused ones (+fused: Adam in place, swish, batch norm,',
  "                    the SE gate; the default), the gradient programs alone (relaxed, simd), or tfjs's (off, tfjs)",
  'Options (the same table as the page’s URL parameters; the preset defaults to tiny here):',
  ...cliOptionHelp().map((l) => `  ${l}`),
].join('\n');

/** Flags without a value (booleans); every other flag takes the next argument. */
export const SWITCHES = new Set([
  '--help',
  '--quiet',
  '--no-baseline',
  '--check-backends',
  '--predict',
  '--json',
  '--prepare',
  '--study',
]);

export function parseArgs(argv: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new Error(`Unexpected argument "${a}".\n${USAGE}`);
    if (SWITCHES.has(a)) {
      if (out.has(a)) throw new Error(`${a} was given twice; give it once.`);
      out.set(a, 'true');
      continue;
    }
    const next = argv[i + 1];
    if (next === undefined || next.startsWith('--')) throw new Error(`${a} needs a value.\n${USAGE}`);
    // A flag given twice would keep one of its values without a word: name it instead.
    if (out.has(a)) throw new Error(`${a} was given twice ("${out.get(a)}" and "${next}"); give it once.`);
    out.set(a, next);
    i++;
  }
  return out;
}
