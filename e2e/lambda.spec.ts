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
