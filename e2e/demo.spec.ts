import { watchPage } from './offline';
import { expect, test, type Download } from '@playwright/test';
import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import { unzipSync } from 'fflate';

/** A 16×16 PNG (the tiny models' input size, so decoding involves no resampling). */
function pattern(): { png: Buffer; rgb: Uint8Array } {
  const png = new PNG({ width: 16, height: 16 });
  const rgb = new Uint8Array(16 * 16 * 3);
  for (let y = 0; y < 16; y++) {
    for (let x = 0; x < 16; x++) {
      const i = y * 16 + x;
      const px = [(x * 16) % 256, (y * 16) % 256, ((x + y) * 8) % 256];
      px.forEach((v, c) => {
        png.data[i * 4 + c] = v;
        rgb[i * 3 + c] = v;
      });
      png.data[i * 4 + 3] = 255;
    }
  }
  return { png: PNG.sync.write(png), rgb };
}

async function countSavedModels(page: import('@playwright/test').Page): Promise<number> {
  return page.evaluate(
    () =>
      new Promise<number>((resolve) => {
        const req = indexedDB.open('tensorflowjs');
        req.onsuccess = () => {
          const db = req.result;
          if (!db.objectStoreNames.contains('model_info_store')) {
            db.close();
            resolve(0);
            return;
          }
          const count = db.transaction('model_info_store').objectStore('model_info_store').count();
          count.onsuccess = () => {
            db.close();
            resolve(count.result);
          };
        };
        req.onerror = () => resolve(-1);
      }),
  );
}

test('photo demo: two students side by side, bad files refused, the student exported and loaded back', async ({
  page,
}) => {
  const watched = watchPage(page);
  await page.goto('/?preset=tiny&lambdas=0,1&baseline=0&teacherEpochs=2&studentEpochs=2');
  await page.getByTestId('distill').click();
  await expect(page.getByTestId('results-table').getByTestId('result-row-student')).toHaveCount(2, {
    timeout: 240_000,
  });
  await expect(page.getByTestId('stored-run')).toHaveCount(1);
  expect(await countSavedModels(page)).toBe(3); // teacher and both students

  // Compression columns are filled for every model (shown with "All columns"; the compact table hides them).
  await expect(page.getByTestId('result-row-student').first().locator('[data-metric="flops"]')).toBeHidden();
  await page.getByTestId('all-columns').check();
  for (const metric of ['flops', 'latency']) {
    const v = Number(
      await page.getByTestId('result-row-student').first().locator(`[data-metric="${metric}"]`).innerText(),
    );
    expect(v, metric).toBeGreaterThan(0);
  }

  const { png, rgb } = pattern();
  await page.getByTestId('demo-upload').setInputFiles({ name: 'pattern.png', mimeType: 'image/png', buffer: png });
  const panels = page.getByTestId('prediction-panel');
  await expect(panels).toHaveCount(3);
  for (let i = 0; i < 3; i++) {
    const probs = await panels
      .nth(i)
      .getByTestId('prediction-row')
      .evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-probability'))));
    expect(probs).toHaveLength(3);
    expect(probs.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(1 + 1e-6);
    expect(probs[0]).toBeGreaterThanOrEqual(probs[1]);
  }
  await page.screenshot({ path: 'test-results/lab-demo.png', fullPage: true });
  const debiasedProbs = await page
    .locator('[data-testid="prediction-panel"][data-role="debiased"] [data-testid="prediction-row"]')
    .evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-probability'))));

  // The debiased picker offers only students an adversary pulled on (λ > 0): no λ = 0, no labels-only.
  const debiasedOptions = await page.getByTestId('demo-debiased').locator('option').allTextContents();
  expect(debiasedOptions.length).toBeGreaterThan(0);
  expect(debiasedOptions.every((o) => /λ=(?!0\b)[\d.]+/.test(o))).toBe(true);
  // Another model chosen: the photo stays, and the newly chosen student answers for it.
  await page.getByTestId('demo-plain').selectOption('CKD λ=1');
  const plainPanel = page.locator('[data-testid="prediction-panel"][data-role="plain"]');
  await expect(plainPanel).toContainText('CKD λ=1');
  await expect(panels).toHaveCount(3);
  await expect(page.getByAltText('The uploaded photo')).toBeVisible();
  expect(
    await plainPanel
      .getByTestId('prediction-row')
      .evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-probability')))),
  ).toEqual(debiasedProbs);
  await page.getByTestId('demo-plain').selectOption('CKD λ=0');
  await expect(plainPanel).toContainText('CKD λ=0');

  // Bad files: a clear message, and no answer left on screen that belongs to an earlier photo; the stored
  // run and its models stay.
  await page
    .getByTestId('demo-upload')
    .setInputFiles({ name: 'notes.png', mimeType: 'image/png', buffer: Buffer.from('just some text, not an image') });
  await expect(page.getByTestId('demo-error')).toContainText('could not be decoded as an image');
  await page
    .getByTestId('demo-upload')
    .setInputFiles({ name: 'empty.png', mimeType: 'image/png', buffer: Buffer.alloc(0) });
  await expect(page.getByTestId('demo-error')).toContainText('is empty (0 bytes)');
  await expect(panels).toHaveCount(0);
  await expect(page.getByTestId('stored-run')).toHaveCount(1);

  // The study's "disagreements" gallery.
  await page.getByTestId('find-disagreements').click();
  await expect(page.getByTestId('gallery').or(page.getByTestId('gallery-empty'))).toBeVisible();

  // Export the debiased student and load it back outside the page: same probabilities.
  await page.getByTestId('export-model-choice').selectOption('CKD λ=1');
  const downloads: Download[] = [];
  page.on('download', (d) => downloads.push(d));
  await page.getByTestId('export-model').click();
  // One archive per model: the tfjs files and the model card.
  await expect.poll(() => downloads.length).toBe(1);
  expect(downloads[0].suggestedFilename()).toBe('fairdistill-CKD-λ-1.zip');
  const files = unzipSync(new Uint8Array(readFileSync(await downloads[0].path())));
  expect(Object.keys(files).sort()).toEqual([
    'fairdistill-CKD-λ-1.card.json',
    'fairdistill-CKD-λ-1.card.md',
    'fairdistill-CKD-λ-1.json',
    'fairdistill-CKD-λ-1.weights.bin',
  ]);
  const byName = (suffix: string) => Buffer.from(files[Object.keys(files).find((n) => n.endsWith(suffix))!]);
  const modelJson = JSON.parse(byName('λ-1.json').toString());
  const weights = byName('.weights.bin');
  const card = JSON.parse(byName('.card.json').toString());
  expect(card.model.label).toBe('CKD λ=1');
  expect(byName('.card.md').toString()).toContain('# Model card: CKD λ=1');
  expect(card.model.preprocessing).toContain('x / 127.5 − 1');
  await tf.setBackend('cpu');
  const model = await tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: modelJson.modelTopology,
      weightSpecs: modelJson.weightsManifest[0].weights,
      weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
    }),
  );
  const probs = tf.tidy(() => {
    const x = tf.tensor4d(
      Float32Array.from(rgb, (v) => v / 127.5 - 1),
      [1, 16, 16, 3],
    );
    const out = model.predict(x) as tf.Tensor[];
    return Array.from(tf.softmax(out[0] as tf.Tensor2D).dataSync());
  });
  const top = probs
    .map((p, i) => ({ p, i }))
    .sort((a, b) => b.p - a.p)
    .slice(0, 3)
    .map((t) => t.p);
  top.forEach((p, i) => expect(Math.abs(p - debiasedProbs[i]), `top-${i + 1}`).toBeLessThan(1e-4));
  model.dispose();

  // Bring your own teacher: the exported student comes back as the teacher of a new run.
  const dir = (await import('node:fs')).mkdtempSync(
    (await import('node:path')).join((await import('node:os')).tmpdir(), 'teacher-'),
  );
  const { writeFileSync } = await import('node:fs');
  const jsonName = 'fairdistill-CKD-λ-1.json';
  writeFileSync(`${dir}/${jsonName}`, JSON.stringify(modelJson));
  writeFileSync(`${dir}/${modelJson.weightsManifest[0].paths[0]}`, weights);
  await page
    .getByTestId('teacher-import')
    .setInputFiles([`${dir}/${jsonName}`, `${dir}/${modelJson.weightsManifest[0].paths[0]}`]);
  await expect(page.getByTestId('teacher-imported')).toContainText('1,696 params, 16×16 input, 4 classes');
  await page.getByTestId('distill').click();
  await expect(page.getByTestId('stored-run')).toHaveCount(2, { timeout: 240_000 });
  const teacherRow = page.getByTestId('results-table').getByTestId('result-row-teacher');
  await expect(teacherRow).toHaveAttribute('data-label', /^Teacher \(fairdistill-CKD-λ-1\)$/);
  expect(
    Number(
      await teacherRow
        .locator('[data-metric="params"]')
        .innerText()
        .then((t) => t.replace(/,/g, '')),
    ),
  ).toBe(1696);
  expect(await countSavedModels(page)).toBe(6); // the imported teacher, this run's 2 students, the first run's 3 models

  // Deleting the first run deletes its saved models, not the imported teacher or the second run's.
  page.once('dialog', (d) => void d.accept());
  await page
    .getByTestId('stored-run')
    .nth(1)
    .getByRole('button', { name: /^Delete / })
    .click();
  await expect(page.getByTestId('stored-run')).toHaveCount(1);
  await expect.poll(() => countSavedModels(page)).toBe(3); // imported teacher + the second run's 2 students
  expect(watched).toEqual({ pageErrors: [], csp: [], offsite: [] });
});

test('photo demo on the built-in shortcut design: the photo with each group’s cue, and every model’s answer to both', async ({
  page,
}) => {
  await page.goto('/?preset=quick&lambdas=0,2&baseline=0&teacherEpochs=1&studentEpochs=2');
  await page.getByTestId('distill').click();
  await expect(page.getByTestId('stage')).toHaveText('Done', { timeout: 240_000 });
  await expect(page.getByTestId('demo-builtin-note')).toContainText('These models know only the built-in classes');
  const { png } = pattern();
  await page.getByTestId('demo-upload').setInputFiles({ name: 'pattern.png', mimeType: 'image/png', buffer: png });
  const versions = page.getByTestId('photo-version');
  await expect(versions).toHaveCount(2);
  await expect(versions.nth(0)).toHaveAttribute('data-group', '0');
  await expect(versions.nth(1)).toHaveAttribute('data-group', '1');
  await expect(versions.nth(0)).toContainText('with group A’s cue');
  // Teacher, plain and debiased student answer for each version, and the image is drawn as the model sees it.
  for (let v = 0; v < 2; v++) {
    await expect(versions.nth(v).getByTestId('prediction-panel')).toHaveCount(3);
    await expect(versions.nth(v).locator('canvas')).toHaveAttribute('width', '20');
  }
  // How far the photo is from the training images (the teacher's confidence among its test-image
  // confidences), and the table's flip rate read beside what the two cues did to the plain student.
  const typicality = page.getByTestId('photo-typicality');
  await expect(typicality).toContainText(
    /on the photo as uploaded \(no cue painted on, so the cards below, which carry one, read differently\) the teacher gives its top class \d+%; \d+% of the \d+ test images get a lower top-class confidence/,
  );
  const percentile = Number(await typicality.getAttribute('data-percentile'));
  expect(percentile).toBeGreaterThanOrEqual(0);
  expect(percentile).toBeLessThanOrEqual(1);
  await expect(page.getByTestId('photo-flip')).toContainText(
    /flips \d+% of the plain student’s predictions .* its top class (changes|stays the same) between the two cues/,
  );
});
