import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';
import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

test('a run’s HTML report opens from file:// with no network: its table, charts and setup, and axe passes', async ({
  page,
  browser,
}) => {
  await page.goto('/?preset=tiny&methods=kd&lambdas=0,1&teacherEpochs=1&studentEpochs=2');
  await page.getByTestId('distill').click();
  await expect(page.getByTestId('stage')).toHaveText('Done', { timeout: 240_000 });
  await expect(page.getByTestId('pareto-chart').locator('.main-svg').first()).toBeAttached();
  await expect(page.getByTestId('validation-chart').locator('.main-svg').first()).toBeAttached();
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-report').click()]);
  const file = join(mkdtempSync(join(tmpdir(), 'fdl-report-')), 'report.html');
  copyFileSync((await download.path())!, file);
  const html = readFileSync(file, 'utf8');
  expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/); // no script, nothing from elsewhere
  const labels = await page
    .getByTestId('results-table')
    .locator('tbody tr')
    .evaluateAll((r) => r.map((x) => x.getAttribute('data-label')));

  // A fresh context with the network off: the file alone.
  const context = await browser.newContext({ offline: true });
  const report = await context.newPage();
  const requests: string[] = [];
  report.on('request', (r) => {
    if (!r.url().startsWith('file:') && !r.url().startsWith('data:')) requests.push(r.url());
  });
  await report.goto(`file://${file}`);
  await expect(report.locator('h1')).toBeVisible();
  // Every model's row, with every column (the page's compact table hides some).
  const rows = report.locator('table.results tbody tr');
  expect(await rows.evaluateAll((r) => r.map((x) => x.getAttribute('data-label')))).toEqual(labels);
  await expect(report.locator('table.results thead tr:last-child th')).toHaveCount(22);
  await expect(report.locator('.takeaway')).toBeVisible();
  // The charts, drawn: each image decoded with a size.
  const images = report.locator('figure img');
  expect(await images.count()).toBeGreaterThanOrEqual(3);
  const sizes = await images.evaluateAll((imgs) =>
    (imgs as HTMLImageElement[]).map((i) => [i.complete, i.naturalWidth, i.alt]),
  );
  for (const [complete, width, alt] of sizes) {
    expect(complete).toBe(true);
    expect(width as number, String(alt)).toBeGreaterThan(100);
  }
  await expect(report.locator('code')).toContainText('npm run lab -- --preset tiny');
  await report.screenshot({ path: 'test-results/report.png', fullPage: true });
  expect(requests).toEqual([]);
  const axe = await new AxeBuilder({ page: report }).analyze();
  const serious = axe.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(' | ')}`);
  expect(serious).toEqual([]);
  await context.close();
});
