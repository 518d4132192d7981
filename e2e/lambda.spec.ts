import { expect, test } from '@playwright/test';

test('a tiny run with two λ values shows an undebiased and a debiased student', async ({ page }) => {
  await page.goto('/?preset=tiny&lambdas=0,1&baseline=0&teacherEpochs=2&studentEpochs=2');
  await expect(page.getByTestId('lambdas')).toHaveValue('0, 1');
  await expect(page.getByTestId('backend-badge')).toHaveAttribute('data-backend', /.+/);
  await page.getByTestId('distill').click();
  const rows = page.getByTestId('results-table').getByTestId('result-row-student');
  await expect(rows).toHaveCount(2, { timeout: 240_000 });
  await expect(rows.nth(0)).toHaveAttribute('data-label', 'CKD λ=0');
  await expect(rows.nth(1)).toHaveAttribute('data-label', 'CKD λ=1');
  for (let i = 0; i < 2; i++) {
    const d = Number(await rows.nth(i).locator('[data-metric="disparity"]').innerText());
    expect(Number.isFinite(d)).toBe(true);
  }
});

test('the recommended λ is chosen on validation within an editable accuracy budget', async ({ page }) => {
  await page.goto('/?preset=tiny&lambdas=0,1,4&baseline=0&teacherEpochs=2&studentEpochs=2');
  await page.getByTestId('distill').click();
  await expect(page.getByTestId('stage')).toHaveText('Done', { timeout: 240_000 });
  const box = page.getByTestId('recommended-lambda');
  await expect(box).toContainText(/Recommended λ = (0|1|4)/);
  await expect(box).toContainText('chosen on the validation split');
  await expect(box).toContainText('(budget 1 pt)');
  // A wider budget is read at once: the rule names it.
  await page.getByTestId('accuracy-budget').fill('100');
  await expect(box).toContainText('(budget 100 pt)');
  // The disparity chart carries the noise-floor band and error bars (plotly draws the band as shapes).
  await expect(
    page.getByTestId('disparity-chart').locator('.shapelayer path, .layer-below .shapelayer path').first(),
  ).toBeAttached();
});
