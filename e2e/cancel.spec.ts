import { expect, test } from '@playwright/test';

test('cancel stops the sweep and leaves no “interrupted” banner, now or after a reload', async ({ page }) => {
  await page.goto('/?preset=tiny&teacherEpochs=6&studentEpochs=3');
  await page.getByTestId('distill').click();
  await expect(page.getByTestId('progress-meta')).toBeVisible({ timeout: 60_000 });
  await page.getByTestId('cancel').click();
  await expect(page.getByTestId('stage')).toHaveText('Cancelled', { timeout: 60_000 });
  await expect(page.getByTestId('resume-banner')).toHaveCount(0);
  await page.reload();
  await expect(page.getByTestId('backend-badge')).toHaveAttribute('data-backend', /.+/);
  await expect(page.getByTestId('resume-banner')).toHaveCount(0);
  await expect(page.getByTestId('stored-run')).toHaveCount(0);
});
