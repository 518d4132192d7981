import { expect, test } from '@playwright/test';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { storedRecords } from './storage';
import { makeWiderCopy, writePhotoPng } from '../src/cli/imageFolderKit';

/**
 * A weight file picked in the page: torchvision's efficientnet_b0 (random weights, saved by torch.save)
 * read and checked in the worker, the student started from it, the run recording it; a file that is not
 * a weight file is refused by name and changes nothing.
 */

const PYTHON = '/usr/bin/python3';
const torchMissing = spawnSync(PYTHON, ['-c', 'import torch, torchvision'], { encoding: 'utf8' }).status !== 0;

test.skip(torchMissing, 'python3-torchvision is not installed');

test('a B0 .pth picked for the student: checked, named in the setup, and the run starts from it; a damaged file is refused', async ({
  page,
}) => {
  const dir = mkdtempSync(join(tmpdir(), 'fd-weights-'));
  const photo = join(dir, 'photo.png');
  writePhotoPng(photo);
  const made = spawnSync(PYTHON, ['src/engine/weights/torchvision_reference.py', dir, 'b0', '16', photo], {
    encoding: 'utf8',
  });
  expect(made.status, made.stderr).toBe(0);
  const pth = join(dir, 'model.pth');
  writeFileSync(join(dir, 'broken.pth'), 'not a weight file at all');
  await page.goto(
    '/?preset=tiny&student=efficientnet-b0&methods=kd&lambdas=0&teacherEpochs=1&studentEpochs=1&baseline=0',
  );
  await page.getByTestId('weights-student-file').setInputFiles(join(dir, 'broken.pth'));
  await expect(page.getByTestId('weights-student-error')).toContainText(
    'The weight file broken.pth is not a valid safetensors file',
  );
  await expect(page.getByTestId('weights-student-loaded')).toHaveCount(0);

  await page.getByTestId('weights-student-file').setInputFiles(pth);
  const sha = createHash('sha256').update(readFileSync(pth)).digest('hex');
  await expect(page.getByTestId('weights-student-loaded')).toContainText(
    `Starts from model.pth (${(readFileSync(pth).length / 1e6).toFixed(1)} MB, SHA-256 ${sha.slice(0, 12)}…) — torchvision's key names; its 1000-class head is replaced by one for this dataset's classes.`,
    { timeout: 60_000 },
  );
  // What the weights see in a photo: torchvision's own top 5 (the same transform, the same model).
  const ref = JSON.parse(readFileSync(join(dir, 'reference.json'), 'utf8')) as {
    photo: { indices: number[]; probabilities: number[] };
  };
  const names = JSON.parse(readFileSync('src/engine/weights/imagenetClasses.json', 'utf8')) as string[];
  await page.getByTestId('weights-student-photo').setInputFiles(photo);
  await expect(page.getByTestId('weights-student-sees')).toHaveText(
    `These weights see: ${ref.photo.indices.map((i, k) => `${names[i]} ${(100 * ref.photo.probabilities[k]).toFixed(1)}%`).join(', ')}`,
    { timeout: 120_000 },
  );
  await page.getByTestId('distill').click();
  await expect(page.getByTestId('stage')).toHaveText('Done', { timeout: 240_000 });
  const [run] = (await storedRecords(page)).runs;
  const config = await page.evaluate(
    (id) =>
      new Promise<unknown>((resolve) => {
        const open = indexedDB.open('fairdistill-lab');
        open.onsuccess = () => {
          const get = open.result.transaction('runs').objectStore('runs').get(id);
          get.onsuccess = () => resolve((get.result as { result: { config: unknown } }).result.config);
        };
      }),
    run,
  );
  expect((config as { pretrained: unknown }).pretrained).toEqual({
    student: { name: 'model.pth', bytes: readFileSync(pth).length, sha256: sha },
  });
});

test('the study in miniature on a WIDER-format folder: B3 fine-tuned from a .pth, distilled into B0 from a safetensors file, every method and λ', async ({
  page,
}) => {
  const files: Record<string, string> = {};
  for (const arch of ['b0', 'b3']) {
    const dir = mkdtempSync(join(tmpdir(), `fd-study-${arch}-`));
    const made = spawnSync(PYTHON, ['src/engine/weights/torchvision_reference.py', dir, arch, '16'], {
      encoding: 'utf8',
    });
    expect(made.status, made.stderr).toBe(0);
    files[arch] = join(dir, arch === 'b3' ? 'model.pth' : 'model.safetensors');
  }
  await page.goto(
    '/?preset=tiny&teacher=efficientnet-b3&student=efficientnet-b0&methods=kd,rkd,ctkd,kdpp,dkd&lambdas=0,1&teacherEpochs=1&studentEpochs=1&baseline=0',
  );
  await page.getByTestId('dataset-origin').selectOption('wider');
  await page.getByTestId('import-size').selectOption('16');
  await page.getByTestId('folder-input').setInputFiles(makeWiderCopy());
  await expect(page.getByTestId('dataset-summary')).toContainText('26 images', { timeout: 60_000 });
  await page.getByTestId('weights-teacher-file').setInputFiles(files.b3);
  await expect(page.getByTestId('weights-teacher-loaded')).toContainText('Starts from model.pth', { timeout: 60_000 });
  await page.getByTestId('weights-student-file').setInputFiles(files.b0);
  await expect(page.getByTestId('weights-student-loaded')).toContainText('Starts from model.safetensors', {
    timeout: 60_000,
  });
  await page.getByTestId('distill').click();
  await expect(page.getByTestId('stage')).toHaveText('Done', { timeout: 280_000 });
  await expect(page.getByTestId('results-table').getByTestId('result-row-student')).toHaveCount(10);
});
