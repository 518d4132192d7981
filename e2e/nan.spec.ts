import { expect, test } from '@playwright/test';

test('a diverging learning rate stops with the NaN message; stored runs and the page stay intact', async ({ page }) => {
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto('/?preset=tiny&teacherEpochs=1&studentEpochs=1&baseline=0');
  await page.getByTestId('distill').click();
  await expect(page.getByTestId('stored-run')).toHaveCount(1, { timeout: 240_000 });

  // SGD at 1000: the teacher's loss overflows within its first epoch.
  await page.goto('/?preset=tiny&teacherEpochs=2&studentEpochs=1&baseline=0&optimizer=sgd&lr=1000');
  await expect(page.getByTestId('optimizer')).toHaveValue('sgd');
  await page.getByTestId('distill').click();
  await expect(page.getByTestId('error')).toContainText(
    /Teacher: the CE loss became (NaN|Infinity|-Infinity) at step \d+/,
    { timeout: 240_000 },
  );
  await expect(page.getByTestId('stored-run')).toHaveCount(1);
  await expect(page.getByTestId('distill')).toBeEnabled();
  // A diverged teacher is not offered for resume (it would diverge again), now or after a reload.
  await expect(page.getByTestId('resume-banner')).toHaveCount(0);
  await page.reload();
  await expect(page.getByTestId('stored-run')).toHaveCount(1);
  await expect(page.getByTestId('resume-banner')).toHaveCount(0);

  // SGD at 100: the teacher survives one epoch with enormous embeddings, and RKD's squared distances
  // between them overflow at each student's first step; the sweep finishes and names them.
  await page.goto(
    '/?preset=tiny&teacherEpochs=1&studentEpochs=1&baseline=0&optimizer=sgd&lr=100&methods=rkd&lambdas=0,1',
  );
  await page.getByTestId('distill').click();
  await expect(page.getByTestId('stage')).toHaveText('Done', { timeout: 240_000 });
  await expect(page.getByTestId('run-failures')).toContainText(/RKD λ=0: the RKD \w+ loss became/);
  await expect(page.getByTestId('run-failures')).toContainText(/RKD λ=1: the RKD \w+ loss became/);
  await expect(page.getByTestId('results-table').getByTestId('result-row-teacher')).toHaveCount(1);
  await expect(page.getByTestId('stored-run')).toHaveCount(2);
  expect(pageErrors).toEqual([]);
});
