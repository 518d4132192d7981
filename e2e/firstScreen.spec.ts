import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';

test('without a GPU the first screen offers the quick story, and a shared link restores a setup', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByTestId('backend-badge')).toHaveAttribute('data-backend', 'wasm');
  await expect(page.getByTestId('preset')).toHaveValue('quick');
  await expect(page.getByTestId('lambdas')).toHaveValue('0, 1, 2, 4');
  await expect(page.getByTestId('distill')).toBeEnabled();
  // Before Distill, the page says how long the run should take here, from steps timed now.
  await expect(page.getByTestId('duration-estimate')).toContainText(/^About \d+ (s|min)/, { timeout: 60_000 });
  // The estimate is seen where the click is: in view with Distill, above it, not under it.
  await expect(page.getByTestId('duration-estimate')).toBeInViewport();
  const estimate = (await page.getByTestId('duration-estimate').boundingBox())!;
  const button = (await page.getByTestId('distill').boundingBox())!;
  expect(estimate.y + estimate.height).toBeLessThanOrEqual(button.y + 1);
  await page.screenshot({ path: 'test-results/first-screen.png' });
  // A preset named in the URL is kept, whatever the machine.
  await page.goto('/?preset=lab&lambdas=0,0.5');
  await expect(page.getByTestId('backend-badge')).toHaveAttribute('data-backend', 'wasm');
  await expect(page.getByTestId('preset')).toHaveValue('lab');
  await expect(page.getByTestId('lambdas')).toHaveValue('0, 0.5');
});

test('before training, the gallery shows the training images by class × group with their counts', async ({ page }) => {
  await page.goto('/?preset=quick');
  await page.getByTestId('show-gallery').click();
  const cells = page.getByTestId('gallery-cell');
  await expect(cells).toHaveCount(8, { timeout: 60_000 });
  const counts = await cells.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-count'))));
  // Class 0 leans 90/10 to group A, class 2 is balanced (the shortcut design); about 900 training images.
  expect(counts[0] / (counts[0] + counts[1])).toBeGreaterThan(0.8);
  expect(Math.abs(counts[4] / (counts[4] + counts[5]) - 0.5)).toBeLessThan(0.1);
  expect(counts.reduce((a, b) => a + b, 0)).toBeGreaterThan(600);
  await expect(cells.first().locator('canvas')).toHaveCount(4);
});

test('“Link to this setup” restores the setup it was made from', async ({ page }) => {
  await page.goto('/?preset=tiny&lambdas=0,1.5&studentEpochs=3&baseline=0');
  const href = await page.getByTestId('share-setup').getAttribute('href');
  expect(href).toBe('/?preset=tiny&lambdas=0%2C1.5&studentEpochs=3&baseline=0');
  await page.goto(href!);
  await expect(page.getByTestId('preset')).toHaveValue('tiny');
  await expect(page.getByTestId('lambdas')).toHaveValue('0, 1.5');
});

test('the setup survives a reload (the address follows it), and runs of two sweeps can be shown side by side', async ({
  page,
}) => {
  await page.goto('/?preset=tiny&teacherEpochs=1&studentEpochs=1&baseline=0');
  await page.getByTestId('lambdas').fill('0, 1');
  await expect(page).toHaveURL(/lambdas=0%2C1/);
  await page.reload();
  await expect(page.getByTestId('lambdas')).toHaveValue('0, 1');
  for (let i = 0; i < 2; i++) {
    await page.getByTestId('distill').click();
    await expect(page.getByTestId('stored-run')).toHaveCount(i + 1, { timeout: 240_000 });
  }
  const boxes = page.getByTestId('compare-run');
  await boxes.nth(0).check();
  await expect(page.getByTestId('overlay-panel')).toHaveCount(0); // one run is not a comparison
  await boxes.nth(1).check();
  await expect(page.getByTestId('overlay-panel')).toHaveAttribute('data-runs', '2');
  // 3 models per run: their bars side by side, and every model's loss curve of both runs.
  await expect(page.getByTestId('overlay-bars').locator('g.trace.bars')).toHaveCount(2);
  await expect(page.getByTestId('overlay-curves').locator('.scatterlayer .trace')).toHaveCount(6);
  // Its charts keep inside the card (under the runs list they ran past its edge).
  const fit = await page.getByTestId('overlay-panel').evaluate((card) => ({
    card: card.getBoundingClientRect().right,
    charts: Math.max(...[...card.querySelectorAll('.main-svg')].map((s) => s.getBoundingClientRect().right)),
  }));
  expect(fit.charts, JSON.stringify(fit)).toBeLessThanOrEqual(fit.card + 1);
  // The charts' toolbars are out of the tab order.
  const buttons = page.locator('.modebar-btn');
  expect(await buttons.count()).toBeGreaterThan(0);
  expect(await page.locator('.modebar-btn:not([tabindex="-1"])').count()).toBe(0);
  // Every stored run in one CSV: a header and 3 models of each of the 2 runs.
  const [csv] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-all-csv').click()]);
  const lines = readFileSync((await csv.path())!, 'utf8')
    .trim()
    .split('\n');
  expect(lines[0].startsWith('run,run_id,role,label,')).toBe(true);
  expect(lines).toHaveLength(1 + 2 * 3);
  // After a reload the last finished run is on screen again.
  await page.reload();
  await expect(page.getByTestId('results-table').getByTestId('result-row-student')).toHaveCount(2);
  // The results and the setup on the left agree; change the setup and the page says they no longer do.
  await expect(page.getByTestId('result-setup-differs')).toHaveCount(0);
  await page.getByTestId('lambdas').fill('0, 3');
  await expect(page.getByTestId('result-setup-differs')).toContainText('the setup on the left differs from its setup');
});

test('a click before the engine has chosen its backend starts nothing: Distill waits, then offers the preset the page shows', async ({
  page,
}) => {
  // Hold the engine worker's script back, as a slow disk or a cold cache would.
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route(/engine\.worker-[^/]*\.js$/, async (route) => {
    await held;
    await route.continue();
  });
  await page.goto('/');
  const distill = page.getByTestId('distill');
  await expect(distill).toBeDisabled();
  await expect(distill).toHaveText('Starting the engine…');
  // Before the machine is known the page shows the story any machine runs, never lab's 25 minutes first.
  await expect(page.getByTestId('preset')).toHaveValue('quick');
  // Enter in the form submits it, a disabled button or not: nothing may start.
  await page.getByTestId('lambdas').press('Enter');
  await distill.click({ force: true });
  release();
  await expect(page.getByTestId('backend-badge')).toHaveAttribute('data-backend', 'wasm');
  await expect(page.getByTestId('preset')).toHaveValue('quick');
  await expect(distill).toHaveText('Distill');
  await expect(distill).toBeEnabled();
  await expect(page.getByTestId('progress-meta')).toHaveCount(0);
  await expect(page.getByTestId('stage')).toHaveCount(0);
});
