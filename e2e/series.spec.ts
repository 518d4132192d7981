import { expect, test } from '@playwright/test';

test('a sweep of several settings: the takeaway and the charts open on the same series, not merely the first', async ({
  page,
}) => {
  await page.goto(
    `/?preset=tiny&methods=kd&lambdas=0,2&baseline=0&teacherEpochs=1&studentEpochs=2&sweep=${encodeURIComponent('kd.T=1,4')}`,
  );
  await page.getByTestId('distill').click();
  await expect(page.getByTestId('stage')).toHaveText('Done', { timeout: 240_000 });
  const takeaway = await page.getByTestId('takeaway').innerText();
  // The takeaway names its series through its λ = 0 student ("The student (CKD T=4 λ=0) …").
  const series = /The student \((CKD T=\d) λ=0\)/.exec(takeaway)?.[1];
  expect(series, takeaway).toBeTruthy();
  await expect(page.getByTestId('compare-method')).toHaveValue(series!);
  // When no λ > 0 qualified in any series the sentence says so, over both.
  if (/No λ > 0 reduced the bias/.test(takeaway)) expect(takeaway).toContain('in any of the 2 series');
});
