import { expect, test } from '@playwright/test';

test('several seeds in one click, grouped with their interval; a group of two offers the seed it lacks', async ({
  page,
}) => {
  await page.goto('/?preset=tiny&methods=kd&lambdas=0,1&baseline=0&teacherEpochs=1&studentEpochs=1');
  const distill = page.getByTestId('distill');
  await expect(distill).toHaveText('Distill', { timeout: 60_000 });
  const estimate = page.getByTestId('duration-estimate');
  await expect(estimate).toHaveAttribute('data-seconds', /\d+/, { timeout: 60_000 });
  const one = Number(await estimate.getAttribute('data-seconds'));
  await page.getByTestId('seed-count').selectOption('2');
  await expect(distill).toHaveText('Distill 2 seeds (0–1)');
  // The estimate is for both seeds.
  await expect(estimate).toContainText(`for 2 seeds`);
  expect(one).toBeGreaterThan(0);
  await distill.click();
  // One after another, each stored as its own run; the button says which seed of the batch runs.
  await expect(distill).toHaveText(/^Distilling… seed 1 \(2 of 2\)$/, { timeout: 240_000 });
  await expect(page.getByTestId('stored-run')).toHaveCount(2, { timeout: 240_000 });
  await expect(distill).toHaveText('Distill 2 seeds (1–2)', { timeout: 60_000 }); // idle again, the setup at seed 1
  await expect(page.getByTestId('open-run').first()).toContainText('seed');
  const group = page.getByTestId('seed-group');
  await expect(group).toHaveCount(1);
  await expect(group.locator('caption')).toContainText('seeds 0, 1 (n = 2)');
  await expect(page.getByTestId('seed-interval-note')).toContainText('not informative');
  // The group's table fits its card (it sat under the runs list and ran past its edge).
  const fit = await group.evaluate((t) => ({ table: t.scrollWidth, box: t.parentElement!.clientWidth }));
  expect(fit.table, JSON.stringify(fit)).toBeLessThanOrEqual(fit.box);
  // The group offers the seed it lacks for an informative interval, runs it on the group's setup.
  const more = page.getByTestId('run-more-seeds');
  await expect(more).toHaveText('Run seed 2');
  await more.click();
  await expect(page.getByTestId('stored-run')).toHaveCount(3, { timeout: 240_000 });
  await expect(group.locator('caption')).toContainText('seeds 0, 1, 2 (n = 3)');
  await expect(page.getByTestId('run-more-seeds')).toHaveCount(0);
  await expect(page.getByTestId('seed-interval-note')).not.toContainText('not informative');
});
