import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SPLIT } from '../engine/types';
import { readFolderData } from './folderData';
import { makeFolder, makeWiderCopy } from './imageFolderKit';
import type { RunnerOutput } from './merge';
import { labCommand } from './labUnderTest';

/**
 * The runner reads real photos: a WIDER Attribute copy and a labels-CSV folder (the browser tests' own
 * fixtures), prepared by the page's steps — the same examples, classes, groups, skipped files and split
 * as the page's import counts for them (e2e/wider.spec.ts, e2e/folder.spec.ts) — and trains on them.
 */

const counts = (d: Awaited<ReturnType<typeof readFolderData>>['dataset']) => {
  const n = (code: number) => d.split.filter((s) => s === code).length;
  return `${d.count} images (${n(SPLIT.train)} train · ${n(SPLIT.val)} val · ${n(SPLIT.test)} test)`;
};

describe('--data: real photos in the runner', () => {
  it('a WIDER copy, whole images and person crops: the page’s counts, classes and skipped files', async () => {
    const dir = makeWiderCopy();
    const whole = await readFolderData({ source: 'wider', dir }, { size: 16, seed: 0, cache: null }, () => {});
    expect(counts(whole.dataset)).toBe('26 images (16 train · 0 val · 10 test)');
    const parade = whole.dataset.classNames.indexOf('Parade');
    const inClass = (g: number) =>
      [...whole.dataset.labels].filter((c, i) => c === parade && whole.dataset.groups[i] === g).length;
    expect([inClass(0), inClass(1), inClass(-1)]).toEqual([3, 3, 2]);
    expect(whole.skipped.map((s) => s.path)).toEqual(
      expect.arrayContaining(['Image/0--Parade/0_Parade_gone.jpg', 'Image/0--Parade/0_Parade_broken.jpg']),
    );
    const persons = await readFolderData(
      { source: 'wider', dir },
      { size: 16, seed: 0, wider: { mode: 'person', classes: 'clusters' }, cache: null },
      () => {},
    );
    expect(counts(persons.dataset)).toBe('50 images (28 train · 4 val · 18 test)');
    expect(persons.skipped.map((s) => s.reason).join(' ')).toContain(
      'the person box [100, 100, 10, 10] lies outside the 24×20 photo',
    );
  });

  it('trains and evaluates on a labels-CSV folder: the dataset named in the run, its images counted', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'fd-data-')), 'run.json');
    const r = spawnSync(
      ...labCommand([
        '--preset',
        'tiny',
        '--data',
        `folder:${makeFolder()}`,
        '--data-cache',
        join(out, '..', 'cache'),
        '--image-size',
        '16',
        '--teacher-epochs',
        '1',
        '--student-epochs',
        '1',
        '--lambdas',
        '0',
        '--threads',
        '1',
        '--out',
        out,
      ]),
      { encoding: 'utf8' },
    );
    expect(r.status, r.stderr.slice(-1500)).toBe(0);
    expect(r.stderr).toContain('dataset: my-photos (labels.csv), 64 images');
    const run = JSON.parse(readFileSync(out, 'utf8')) as RunnerOutput;
    expect(run.config.dataset).toMatchObject({ kind: 'imported', source: 'csv', count: 64, size: 16 });
    expect(run.runs[0].teacher.test.accuracy).toBeGreaterThanOrEqual(0);
    expect(run.runs[0].dataset.classNames).toEqual(['Parade', 'Spa', 'Surgeons', 'Picnic']);
  }, 120_000);

  it('a folder that is not there, or a source it does not know, is named', () => {
    const lab = (data: string) => spawnSync(...labCommand(['--data', data]), { encoding: 'utf8' }).stderr;
    expect(lab('folder:/no/such/dir')).toContain('--data folder:/no/such/dir cannot be read');
    expect(lab('zip:/x')).toContain('--data: "zip:/x" must be folder:DIR (images + labels.csv) or wider:DIR');
  });
});
