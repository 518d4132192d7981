import { expect, test } from '@playwright/test';

test('a sweep of 3 students interrupted by a reload resumes: finished students are not redone, all 3 listed once', async ({ page }) => {
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto('/?preset=tiny&lambdas=0,0.5,1&baseline=0&teacherEpochs=2&studentEpochs=4');
  await page.getByTestId('distill').click();
  // Reload while the second student trains.
  await expect(page.getByTestId('stage')).toHaveText('Distilling: CKD λ=0.5', { timeout: 240_000 });
  await page.reload();

  const banner = page.getByTestId('resume-banner');
  await expect(banner).toContainText('its teacher and 1 of 3 students had finished');
  await expect(page.getByTestId('stored-run')).toHaveCount(0);
  const stages: string[] = [];
  await page.exposeFunction('recordStage', (s: string) => stages.push(s));
  await page.evaluate(() => {
    const el = document.querySelector('[data-testid="stage"]');
    new MutationObserver(() => (window as never as { recordStage(s: string): void }).recordStage(document.querySelector('[data-testid="stage"]')?.textContent ?? ''))
      .observe(el?.parentElement?.parentElement ?? document.body, { subtree: true, childList: true, characterData: true });
  });
  await page.getByTestId('resume').click();
  await expect(page.getByTestId('stage')).toHaveText('Done', { timeout: 240_000 });
  expect(stages.some((s) => s.startsWith('Resuming: 1 of 3'))).toBe(true);
  expect(stages).not.toContain('Distilling: CKD λ=0'); // the first student was not redone
  expect(stages.some((s) => s.startsWith('Training the teacher'))).toBe(false); // nor the teacher

  const rows = page.getByTestId('results-table').getByTestId('result-row-student');
  await expect(rows).toHaveCount(3);
  await expect(rows.nth(0)).toHaveAttribute('data-label', 'CKD λ=0');
  await expect(rows.nth(2)).toHaveAttribute('data-label', 'CKD λ=1');
  await expect(page.getByTestId('stored-run')).toHaveCount(1);

  // The checkpoint is gone with the finished run: no banner after another reload.
  await page.reload();
  await expect(page.getByTestId('stored-run')).toHaveCount(1);
  await expect(page.getByTestId('resume-banner')).toHaveCount(0);
  expect(pageErrors).toEqual([]);
});
