import { watchPage } from './offline';
import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';

test('after a sweep: runs survive a reload, the λ slider drives the bars, surface and exports work', async ({
  page,
}) => {
  const watched = watchPage(page);
  await page.goto('/?preset=tiny&methods=kd,rkd&lambdas=0,0.5,1&baseline=0&teacherEpochs=2&studentEpochs=2');
  await page.getByTestId('distill').click();
  await expect(page.getByTestId('results-table').getByTestId('result-row-student')).toHaveCount(6, {
    timeout: 280_000,
  });

  await page.reload();
  await expect(page.getByTestId('stored-run')).toHaveCount(1);
  await page.getByTestId('open-run').click();
  const panel = page.getByTestId('compare-panel');
  await expect(panel).toBeVisible();
  await expect(page.getByTestId('lambda-value')).toHaveText('0.5'); // first debiased λ
  const debiased = () => page.locator('[data-testid="disparity-values"] td[data-series="debiased"]').allInnerTexts();
  const at05 = await debiased();
  expect(at05.length).toBeGreaterThan(1);

  // Keyboard: the slider moves to the next λ that has a run; the bars' values change, nothing retrains.
  await page.getByTestId('lambda-slider').focus();
  await page.keyboard.press('ArrowRight');
  await expect(page.getByTestId('lambda-value')).toHaveText('1');
  const at1 = await debiased();
  expect(at1).not.toEqual(at05);
  await expect(page.getByTestId('results-table').locator('tr.selected')).toHaveAttribute('data-label', 'CKD λ=1');
  await page.keyboard.press('Home');
  await expect(page.getByTestId('lambda-value')).toHaveText('0');
  await expect(page.locator('[data-testid="disparity-values"] td[data-series="debiased"]')).toHaveCount(0);
  await page.keyboard.press('End');

  // Method switch: RKD's students on the same slider.
  await page.getByTestId('compare-method').selectOption('rkd');
  await expect(page.getByTestId('results-table').locator('tr.selected')).toHaveAttribute('data-label', 'RKD λ=1');

  // The surface (3D where WebGL exists) or its fallback, the Pareto scatter, and the front named.
  const surface = page.getByTestId('surface-panel');
  await expect(surface).toBeVisible();
  await surface.scrollIntoViewIfNeeded();
  await expect(surface).not.toHaveAttribute('data-mode', 'pending'); // drawn once it is in view
  const mode = await surface.getAttribute('data-mode');
  await expect(
    page
      .getByTestId(mode === '3d' ? 'surface-3d' : 'surface-heatmap')
      .locator('.main-svg')
      .first(),
  ).toBeAttached({ timeout: 60_000 });
  await expect(page.getByTestId('pareto-chart').locator('.main-svg').first()).toBeAttached();
  await expect(page.getByTestId('pareto-list')).toContainText(/λ=/);
  // The charts' tool bars offer no upload to Plotly Cloud (nor any edit elsewhere), only local tools.
  await expect(page.locator('.modebar-btn[data-title="Download plot as a PNG"]').first()).toBeAttached();
  await expect(page.locator('.modebar-btn[data-title^="Share chart"]')).toHaveCount(0);
  await expect(page.locator('.modebar-btn[data-title*="Chart Studio"]')).toHaveCount(0);
  // The scatter names its points: each student's λ in its method's colour, the teacher and labels-only as references.
  const scatterText = page.getByTestId('pareto-chart').locator('g.textpoint');
  await expect(scatterText.filter({ hasText: 'Teacher' })).toHaveCount(1);
  await expect(scatterText.filter({ hasText: 'λ=' })).toHaveCount(6);
  await page.screenshot({ path: 'test-results/lab-compare-3d.png', fullPage: true });
  if (mode === '3d') {
    await page.getByTestId('surface-2d').check();
    await expect(page.getByTestId('surface-heatmap').locator('.main-svg').first()).toBeAttached();
    // One cell per method × λ (2 × 3), each with its run's top-1 written in it.
    await expect(page.getByTestId('surface-heatmap').locator('path.point')).toHaveCount(6);
    await expect(page.getByTestId('surface-heatmap').locator('g.textpoint')).toHaveCount(6);
  }
  await page.screenshot({ path: 'test-results/lab-compare-2d.png', fullPage: true });

  // Export: JSON holds the run; CSV holds the table.
  const [json] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-json').click()]);
  const exported = JSON.parse(readFileSync(await json.path(), 'utf8'));
  expect(exported.format).toBe('fairdistill-lab-runs');
  expect(exported.runs).toHaveLength(1);
  expect(exported.runs[0].result.students).toHaveLength(6);
  const [csv] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]);
  const csvLines = readFileSync(await csv.path(), 'utf8')
    .trim()
    .split('\n');
  expect(csvLines[0]).toMatch(/^role,label,method,lambda,params,accuracy/);
  expect(csvLines).toHaveLength(8); // header, teacher, 6 students

  // Rename survives a reload.
  await page.getByRole('button', { name: /^Rename / }).click();
  await page.getByTestId('rename-input').fill('tiny sweep, KD and RKD');
  await page.getByTestId('rename-input').press('Enter');
  await expect(page.getByTestId('open-run')).toHaveText('tiny sweep, KD and RKD'); // stored, then listed
  await page.reload();
  await expect(page.getByTestId('open-run')).toHaveText('tiny sweep, KD and RKD');

  // Import: a bad file is refused with a message and changes nothing; the export imports back.
  await page
    .getByTestId('import-runs')
    .setInputFiles({ name: 'notes.json', mimeType: 'application/json', buffer: Buffer.from('this is not json') });
  await expect(page.getByTestId('error')).toContainText('Import failed, nothing was changed: The file is not JSON');
  await expect(page.getByTestId('stored-run')).toHaveCount(1);
  await page
    .getByTestId('import-runs')
    .setInputFiles({ name: 'runs.json', mimeType: 'application/json', buffer: readFileSync(await json.path()) });
  await expect(page.getByTestId('stored-run')).toHaveCount(2);

  // Narrow window: one column, everything still reachable.
  await page.setViewportSize({ width: 420, height: 900 });
  await page.getByTestId('open-run').first().click();
  await expect(page.getByTestId('lambda-slider')).toBeVisible();
  await expect(page.getByTestId('disparity-chart').locator('.main-svg').first()).toBeAttached();
  await page.waitForTimeout(1000); // plotly redraws for the new width
  await page.screenshot({ path: 'test-results/lab-narrow.png', fullPage: true });

  // Delete asks first; the other run stays.
  page.once('dialog', (d) => void d.accept());
  await page
    .getByRole('button', { name: /^Delete / })
    .first()
    .click();
  await expect(page.getByTestId('stored-run')).toHaveCount(1);
  expect(watched).toEqual({ pageErrors: [], csp: [], offsite: [] });
});
