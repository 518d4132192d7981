import { expect, test } from '@playwright/test';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { makeFolder } from './fixtures';
import { watchRequests } from './offline';

function makeBadFolder(): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'fairdistill-bad-')), 'bad');
  mkdirSync(dir);
  const png = new PNG({ width: 4, height: 4 });
  writeFileSync(join(dir, 'a.png'), PNG.sync.write(png));
  writeFileSync(join(dir, 'labels.csv'), 'file,class,group\na.png,Parade,man\nnot-there.png,Spa,woman\na.png,,man\n');
  return dir;
}

test('a folder of images with a labels CSV: counts shown, tiny models trained on it, cached for the next visit', async ({
  page,
}) => {
  const offsite = watchRequests(page);
  await page.goto('/?preset=tiny&teacherEpochs=2&studentEpochs=1&baseline=0');
  await page.getByTestId('dataset-origin').selectOption('csv');
  await page.getByTestId('import-size').selectOption('16');

  // Line-numbered CSV errors, and nothing is stored.
  await page.getByTestId('folder-input').setInputFiles(makeBadFolder());
  await expect(page.getByTestId('dataset-error')).toContainText('Line 3: “not-there.png” is not in the chosen folder.');
  await expect(page.getByTestId('dataset-error')).toContainText('Line 4: the class of “a.png” is empty.');
  await expect(page.getByTestId('cached-dataset')).toHaveCount(0);

  await page.getByTestId('folder-input').setInputFiles(makeFolder());
  const counts = page.getByTestId('dataset-counts');
  await expect(counts).toBeVisible({ timeout: 60_000 });
  await expect(counts.locator('tbody tr')).toHaveCount(4);
  // Per class: 7 woman, 7 man, 2 unknown (the empty group cells).
  await expect(counts.locator('tbody tr').first().locator('td')).toHaveText(['7', '7', '2']);
  await expect(page.getByTestId('dataset-summary')).toContainText('64 images');
  await expect(page.getByTestId('cached-dataset')).toHaveCount(1);

  await page.getByTestId('distill').click();
  const rows = page.getByTestId('results-table').getByTestId('result-row-student');
  await expect(rows).toHaveCount(1, { timeout: 240_000 });
  await expect(page.getByText(/\d+ test images · wasm/)).toBeVisible();
  await page.screenshot({ path: 'test-results/lab-folder-dataset.png', fullPage: true });

  // Next visit: the dataset is listed, and a run reads it from IndexedDB.
  await page.reload();
  await page.getByTestId('dataset-origin').selectOption('csv');
  await expect(page.getByTestId('cached-dataset')).toHaveCount(1);
  await page.getByTestId('cached-dataset').getByRole('button').first().click();
  await expect(page.getByTestId('dataset-current')).toContainText('64 images');
  // The models may see a smaller size than the stored 16 px: the center, crops resized to it.
  await expect(page.getByTestId('input-size').locator('option')).toHaveText(['as stored (16 px)', '8 px', '12 px']);
  await page.getByTestId('input-size').selectOption('12');
  await expect(page).toHaveURL(/inputSize=12/);
  await page.getByTestId('distill').click();
  await expect(page.getByTestId('dataset-source')).toContainText(
    'my-photos (labels.csv) · 64 images · loaded from the IndexedDB cache',
    { timeout: 60_000 },
  );
  await expect(rows).toHaveCount(1, { timeout: 240_000 });
  expect(offsite).toEqual([]);
});
