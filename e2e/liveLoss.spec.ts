import { expect, test } from '@playwright/test';
import { watchPage } from './offline';

/**
 * Runs on the built app (project "chromium") and on the dev server (project "chromium-dev-server",
 * React StrictMode mounting every component twice): a tiny run's live loss is drawn in both.
 */
test('a tiny run draws its live loss while it trains and after it ends', async ({ page }) => {
  const watch = watchPage(page);
  await page.goto('/?preset=tiny&teacherEpochs=2&studentEpochs=1&baseline=0');
  await page.getByTestId('distill').click();
  const traces = page.getByTestId('loss-chart').locator('.scatterlayer .trace');
  await expect(traces.first()).toBeAttached({ timeout: 120_000 });
  await expect(page.getByTestId('stage')).toHaveText('Done', { timeout: 240_000 });
  // Teacher and student each have a line, with points along it.
  await expect(traces).toHaveCount(2);
  await expect(traces.first().locator('path.js-line')).toHaveAttribute('d', /M[\d.]+,[\d.]+L/);
  expect(watch.pageErrors).toEqual([]);
  expect(watch.offsite).toEqual([]);
});

test('every loss term: the legend sits below the step axis and leaves the plot its height', async ({ page }) => {
  await page.goto('/?preset=tiny&teacherEpochs=1&studentEpochs=1&baseline=0&methods=kd,ctkd&lambdas=0,2');
  await page.getByTestId('distill').click();
  await expect(page.getByTestId('stage')).toHaveText('Done', { timeout: 240_000 });
  const chart = page.getByTestId('loss-chart');
  // One line per run: teacher and four students, each its objective (task − λ·adversary).
  await expect(chart.locator('.scatterlayer .trace')).toHaveCount(5);
  await page.getByTestId('loss-terms').selectOption('all');
  await expect.poll(() => chart.locator('.legend .traces').count()).toBeGreaterThan(10);
  const box = async (selector: string) => (await chart.locator(selector).first().boundingBox())!;
  const plot = await box('.nsewdrag');
  const title = await box('.g-xtitle');
  const legend = await box('.legend');
  expect(plot.height).toBeGreaterThanOrEqual(200);
  expect(legend.y).toBeGreaterThanOrEqual(title.y + title.height - 1);
  await chart.screenshot({ path: 'test-results/loss-every-term.png' });
});
