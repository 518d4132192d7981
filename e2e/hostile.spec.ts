import { expect, test, type Page } from '@playwright/test';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { watchPage } from './offline';
import { savedModelKeys } from './storage';

/** Hostile but fair input: nothing a user imports or does to storage can brick the page or lose finished work. */

const TINY = '/?preset=tiny&teacherEpochs=1&studentEpochs=1&baseline=0';

async function finishTinyRun(page: Page) {
  await page.getByTestId('distill').click();
  await expect(page.getByTestId('stage')).toHaveText('Done', { timeout: 240_000 });
}

async function exportRuns(page: Page): Promise<{ format: string; version: number; runs: Record<string, any>[] }> {
  const [file] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-json').click()]);
  return JSON.parse(readFileSync((await file.path())!, 'utf8'));
}

function tmpFile(name: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'fairdistill-hostile-'));
  writeFileSync(join(dir, name), text);
  return join(dir, name);
}

test('runs imports: a shallow-valid run is refused by its first bad field; a colliding id deletes only its own models', async ({
  page,
}) => {
  const watch = watchPage(page);
  await page.goto(TINY);
  await finishTinyRun(page);
  const doc = await exportRuns(page);
  const models = await savedModelKeys(page);
  expect(models.length).toBe(2); // teacher and student of the finished run

  // A run without backend, size or config: refused with the field named, nothing stored, the page usable.
  const shallow = structuredClone(doc);
  delete shallow.runs[0].result.backend;
  await page.getByTestId('import-runs').setInputFiles(tmpFile('shallow.json', JSON.stringify(shallow)));
  await expect(page.getByTestId('error')).toContainText('Not imported — runs[0].result.backend:');
  await expect(page.getByTestId('stored-run')).toHaveCount(1);
  await page.reload();
  await expect(page.getByTestId('stored-run')).toHaveCount(1);
  await expect(page.getByTestId('distill')).toBeEnabled();

  // The lab's own export imported back: the run is already stored, so nothing is added twice.
  await page.getByTestId('import-runs').setInputFiles(tmpFile('same.json', JSON.stringify(doc)));
  await expect(page.getByText('1 was already stored here.')).toBeVisible();
  await expect(page.getByTestId('stored-run')).toHaveCount(1);

  // A valid run whose id would match every model key ("fairdistill"): imported under a fresh id,
  // and deleting it deletes no other run's model.
  const hostile = structuredClone(doc);
  hostile.runs[0].id = 'fairdistill';
  hostile.runs[0].name = '<img src=x onerror=alert(1)> hostile';
  await page.getByTestId('import-runs').setInputFiles(tmpFile('hostile.json', JSON.stringify(hostile)));
  await expect(page.getByTestId('stored-run')).toHaveCount(2);
  await expect(page.getByText('<img src=x onerror=alert(1)> hostile')).toBeVisible(); // text, not markup
  page.once('dialog', (d) => void d.accept());
  await page.getByRole('button', { name: 'Delete <img src=x onerror=alert(1)> hostile' }).click();
  await expect(page.getByTestId('stored-run')).toHaveCount(1);
  expect(await savedModelKeys(page)).toEqual(models);
  expect(watch.pageErrors).toEqual([]);
  expect(watch.offsite).toEqual([]);
});

test('a stored record the page cannot read shows an error in its row with “Delete this run”; the rest keeps working', async ({
  page,
}) => {
  await page.goto(TINY);
  await finishTinyRun(page);
  // A run written by an older build (before imports were checked), lacking what the list reads.
  await page.evaluate(
    () =>
      new Promise<void>((resolve, reject) => {
        const open = indexedDB.open('fairdistill-lab');
        open.onerror = () => reject(open.error ?? new Error('open failed'));
        open.onsuccess = () => {
          const tx = open.result.transaction('runs', 'readwrite');
          tx.objectStore('runs').put({
            id: 'broken',
            name: 'broken run',
            createdAt: '2026-01-01',
            result: { students: [] },
          });
          tx.oncomplete = () => resolve();
        };
      }),
  );
  await page.reload();
  await expect(page.getByTestId('stored-run')).toHaveCount(2);
  await expect(page.getByText('“broken run” cannot be shown')).toBeVisible();
  await expect(page.getByTestId('distill')).toBeEnabled();
  await page.getByTestId('delete-bad-run').click();
  await expect(page.getByTestId('stored-run')).toHaveCount(1);
  await expect(page.getByTestId('panel-error')).toHaveCount(0);
});

test('a 30 MB runs file is refused without blocking the page for more than 200 ms', async ({ page }) => {
  await page.goto(TINY);
  await finishTinyRun(page);
  const doc = await exportRuns(page);
  const big = structuredClone(doc);
  big.runs[0].result.teacher.curve = Array.from({ length: 700_000 }, (_, i) => ({
    step: i,
    epoch: 1,
    terms: { CE: 0.123456789 },
  }));
  const text = JSON.stringify(big);
  expect(text.length).toBeGreaterThan(30e6);
  await page.evaluate(() => {
    const w = window as unknown as { longest: number };
    w.longest = 0;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.longest = Math.max(w.longest, e.duration);
    }).observe({ type: 'longtask', buffered: false });
  });
  await page.getByTestId('import-runs').setInputFiles(tmpFile('big.json', text));
  await expect(page.getByTestId('error')).toContainText(
    /runs\[0\] is \d+ MiB; one run of up to 16 MiB can be imported/,
    {
      timeout: 60_000,
    },
  );
  const longest = await page.evaluate(() => (window as unknown as { longest: number }).longest);
  expect(longest).toBeLessThan(200);
  await expect(page.getByTestId('stored-run')).toHaveCount(1);
});

test('a teacher without its weights file is refused', async ({ page }) => {
  await page.goto(TINY);
  const json = tmpFile(
    'teacher.json',
    JSON.stringify({
      modelTopology: { class_name: 'Sequential', config: { layers: [] } },
      weightsManifest: [
        { paths: ['teacher.weights.bin'], weights: [{ name: 'd/kernel', shape: [4, 3], dtype: 'float32' }] },
      ],
    }),
  );
  await page.getByTestId('teacher-import').setInputFiles([json]);
  await expect(page.getByTestId('teacher-import-error')).toContainText(
    'The weights file teacher.weights.bin of teacher.json was not chosen',
  );
});

test('at zero storage quota a finished run stays on the page with the real reason, and exports', async ({ page }) => {
  await page.goto(TINY);
  const cdp = await page.context().newCDPSession(page);
  // 1 byte (a quota of 0 reads as "no override"): every write of the run is refused.
  await cdp.send('Storage.overrideQuotaForOrigin', { origin: new URL(page.url()).origin, quotaSize: 1 });
  await finishTinyRun(page);
  await expect(page.getByTestId('error')).toContainText('The run finished but could not be stored:');
  await expect(page.getByTestId('error')).toContainText(/storage for this site|needs about/);
  await expect(page.getByTestId('results-table').getByTestId('result-row-student')).toHaveCount(1);
  const [file] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-unstored').click()]);
  const exported = JSON.parse(readFileSync((await file.path())!, 'utf8'));
  expect(exported.runs).toHaveLength(1);
  expect(exported.runs[0].result.students).toHaveLength(1);
});

test('a labels CSV listing a GIF and a class with no readable image: both skipped with their reason', async ({
  page,
}) => {
  const dir = join(mkdtempSync(join(tmpdir(), 'fairdistill-gif-')), 'photos');
  mkdirSync(dir);
  const lines = ['file,class,group'];
  for (const cls of ['Parade', 'Spa'])
    for (let k = 0; k < 8; k++) {
      const png = new PNG({ width: 8, height: 8 });
      png.data.fill(cls === 'Parade' ? 40 * k : 255 - 20 * k);
      writeFileSync(join(dir, `${cls}${k}.png`), PNG.sync.write(png));
      lines.push(`${cls}${k}.png,${cls},${k % 2 ? 'man' : 'woman'}`);
    }
  writeFileSync(join(dir, 'anim.gif'), 'GIF89a');
  lines.push('anim.gif,Parade,man');
  writeFileSync(join(dir, 'broken.png'), 'not a png');
  lines.push('broken.png,Ghost,woman');
  writeFileSync(join(dir, 'labels.csv'), lines.join('\n') + '\n');
  await page.goto(TINY);
  await page.getByTestId('dataset-origin').selectOption('csv');
  await page.getByTestId('import-size').selectOption('16');
  await page.getByTestId('folder-input').setInputFiles(dir);
  await expect(page.getByTestId('dataset-summary')).toContainText('16 images', { timeout: 60_000 });
  await expect(page.getByTestId('dataset-panel')).toContainText('a GIF file; the lab reads JPEG, PNG and WebP images');
  await expect(page.getByTestId('dataset-panel')).toContainText('class “Ghost”');
  await expect(page.getByTestId('dataset-counts').locator('tbody tr')).toHaveCount(2);
});

test('URL parameters that cannot be used are listed on the page', async ({ page }) => {
  await page.goto('/?preset=tiny&lambdas=-1,abc&lr=NaN&threads=999&backend=bogus&methods=nope');
  const list = page.getByTestId('url-problems');
  await expect(list.locator('li')).toHaveCount(5);
  await expect(list).toContainText('lambdas must be a comma-separated list of numbers from 0 to 100 (got "-1,abc")');
  await expect(list).toContainText('backend must be one of webgpu, webgl, wasm, cpu');
  await expect(page.getByTestId('lambdas')).toHaveValue('0');
});
