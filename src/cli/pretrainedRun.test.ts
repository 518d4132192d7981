import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { setupCommand, defaultSetup } from '../engine/options';
import type { RunnerOutput } from './merge';
import type { SweepManifest } from './sweepManifest';
import { makeWiderCopy } from './imageFolderKit';
import { labCommand } from './labUnderTest';

/**
 * The runner fine-tunes torchvision's B3 from a weight file and distils it into B0 from another, with
 * every method and the adversary, on the built-in data at 32 px; the run records the files (name, size,
 * SHA-256) and its reproduce command names them; a file that does not fit is refused before training.
 */

const PYTHON = '/usr/bin/python3';
const torchMissing = spawnSync(PYTHON, ['-c', 'import torch, torchvision'], { encoding: 'utf8' }).status !== 0;
const files: Record<'b0' | 'b3', string> = { b0: '', b3: '' };
const lab = (args: string[]) => spawnSync(...labCommand(args), { encoding: 'utf8' });
const SMALL = [
  '--preset',
  'tiny',
  '--image-size',
  '32',
  '--examples',
  '80',
  '--teacher-epochs',
  '1',
  '--student-epochs',
  '1',
  '--batch-size',
  '16',
  '--threads',
  '1',
];

beforeAll(() => {
  if (torchMissing) return;
  for (const arch of ['b0', 'b3'] as const) {
    const dir = mkdtempSync(join(tmpdir(), `fd-ft-${arch}-`));
    const r = spawnSync(PYTHON, ['src/engine/weights/torchvision_reference.py', dir, arch, '32'], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stderr);
    files[arch] = join(dir, arch === 'b3' ? 'model.pth' : 'model.safetensors');
  }
}, 300_000);

describe.skipIf(torchMissing)('fine-tuning and distilling from weight files in the runner', () => {
  it('on a WIDER-format folder, B3 from a .pth and B0 from a safetensors file: every method and λ, the files recorded and named in the reproduce command', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'fd-ft-out-')), 'run.json');
    const r = lab([
      ...SMALL.map((a, i) => (SMALL[i - 1] === '--image-size' ? '16' : a)),
      '--data',
      `wider:${makeWiderCopy()}`,
      '--data-cache',
      join(out, '..', 'cache'), // not the default .data-cache/ of the checkout
      '--teacher',
      'efficientnet-b3',
      '--teacher-weights',
      files.b3,
      '--student',
      'efficientnet-b0',
      '--student-weights',
      files.b0,
      '--methods',
      'kd,rkd,ctkd,kdpp,dkd',
      '--lambdas',
      '0,1',
      '--out',
      out,
    ]);
    expect(r.status, r.stderr.slice(-2000)).toBe(0);
    const run = JSON.parse(readFileSync(out, 'utf8')) as RunnerOutput;
    expect(run.runs[0].students.map((s) => s.label)).toHaveLength(11);
    expect(run.config.dataset).toMatchObject({ kind: 'imported', source: 'wider', count: 26 });
    const sha = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');
    expect(run.config.pretrained).toEqual({
      teacher: { name: 'model.pth', bytes: readFileSync(files.b3).length, sha256: sha(files.b3) },
      student: { name: 'model.safetensors', bytes: readFileSync(files.b0).length, sha256: sha(files.b0) },
    });
    const command = setupCommand({ ...defaultSetup('tiny'), config: run.config });
    expect(command).toContain('--teacher-weights model.pth --student-weights model.safetensors');
  }, 300_000);

  it('a B0 file given for the B3 teacher is refused before training, naming the tensor and both shapes', () => {
    const r = lab([
      ...SMALL,
      '--teacher',
      'efficientnet-b3',
      '--teacher-weights',
      files.b0,
      '--student',
      'tiny-student',
    ]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(
      'error: The weight file model.safetensors does not fit efficientnet-b3: features.0.0.weight is [32, 3, 3, 3] in the file and [40, 3, 3, 3] in the model',
    );
    expect(r.stderr).not.toContain('Teacher · epoch');
  }, 120_000);

  it('--study plans the study’s protocol on a WIDER copy from the two weight files; a flag given wins', () => {
    const wider = makeWiderCopy();
    const manifest = join(mkdtempSync(join(tmpdir(), 'fd-study-')), 'manifest.json');
    const r = lab([
      '--study',
      '--data',
      `wider:${wider}`,
      '--teacher-weights',
      files.b3,
      '--student-weights',
      files.b0,
      '--student-epochs',
      '3',
      '--plan',
      manifest,
    ]);
    expect(r.status, r.stderr.slice(-1500)).toBe(0);
    const m = JSON.parse(readFileSync(manifest, 'utf8')) as SweepManifest;
    expect(m.data).toEqual({ source: 'wider', dir: wider, wider: { mode: 'image', classes: 'clusters' } });
    expect(m.config).toMatchObject({
      teacherModel: 'efficientnet-b3',
      studentModel: 'efficientnet-b0',
      learningRate: 0.001,
      lrSchedule: 'cosine',
      freezeEpochs: 1,
      batchSize: 16,
      augment: 'crop+flip',
      teacherEpochs: 10,
      studentEpochs: 3,
      lambdas: [0, 0.5, 1, 2],
      dataset: { size: 224 },
      pretrained: { teacher: { name: 'model.pth' }, student: { name: 'model.safetensors' } },
    });
    expect(m.config.methods.map((x) => x.id)).toEqual(['kd', 'rkd', 'ctkd', 'kdpp']);
    expect(m.cells).toHaveLength(4 * 4 + 1); // four methods × four λ and the labels-only student
    expect(lab(['--study', '--data', `wider:${wider}`]).stderr).toContain(
      '--study runs the study on your WIDER copy from ImageNet weights: give --teacher-weights, --student-weights',
    );
  });

  it('weight files fit only the torchvision networks', () => {
    const r = lab([...SMALL, '--teacher-weights', files.b3]);
    expect(r.stderr).toContain(
      'The teacher (tiny-teacher) cannot start from the weight file model.pth: weight files fit efficientnet-b0 and efficientnet-b3.',
    );
  });
});
