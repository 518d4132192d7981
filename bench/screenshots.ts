import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHROMIUM_ARGS } from '../e2e/chromium';
import { buildLabApp, serveDir } from './serveDir';

/**
 * The README's screenshots, taken from the built app in Debian's Chromium (1280 × 800, no GPU, so the
 * page offers the quick story): the first screen; a finished quick run, whole and its disparity card;
 * and that run's HTML report. `npx tsx bench/screenshots.ts [--out docs/screenshots]` (a quick run takes
 * about a minute on a 2-core CPU).
 */
const args = process.argv.slice(2);
const out = args.includes('--out') ? args[args.indexOf('--out') + 1] : 'docs/screenshots';
const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

async function main() {
  mkdirSync(out, { recursive: true });
  const root = await buildLabApp();
  const { chromium: pw } = await import('@playwright/test');
  const browser = await pw.launch({ executablePath: chromium, args: CHROMIUM_ARGS });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
  const page = await context.newPage();
  const origin = 'http://localhost:4996';
  await serveDir(page, origin, root);
  await page.goto(`${origin}/`);
  await page.getByTestId('duration-estimate').and(page.locator('[data-seconds]:not([data-seconds=""])')).waitFor({
    timeout: 120_000,
  });
  await page.getByTestId('gallery-panel').waitFor();
  await page.screenshot({ path: join(out, 'first-screen.png') });
  const t0 = Date.now();
  await page.getByTestId('distill').click();
  await page
    .getByTestId('stage')
    .filter({ hasText: /^Done$/ })
    .waitFor({ timeout: 1_800_000 });
  console.error(`quick run: ${Math.round((Date.now() - t0) / 1000)} s`);
  // The 3D view and the scatter are drawn once in view: scroll through the page first.
  await page.getByTestId('surface-panel').scrollIntoViewIfNeeded();
  await page.getByTestId('pareto-chart').locator('.main-svg').first().waitFor();
  await page.waitForTimeout(1500);
  // The run's setup and the confusion tables split by group, open; the page back at its top.
  await page.getByTestId('run-config').locator('summary').click();
  await page.getByTestId('confusion-panel').locator('summary').click();
  await page.getByTestId('confusion-by-group').check();
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.waitForTimeout(500);
  await page.screenshot({ path: join(out, 'quick-run.png'), fullPage: true });
  await page
    .getByTestId('disparity-chart')
    .locator('xpath=ancestor::section[1]')
    .screenshot({
      path: join(out, 'quick-compare.png'),
    });
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-report').click()]);
  const file = join(mkdtempSync(join(tmpdir(), 'fdl-shots-')), 'report.html');
  await download.saveAs(file);
  const report = await context.newPage();
  await report.goto(`file://${file}`);
  await report.screenshot({ path: join(out, 'quick-report.png'), fullPage: true });
  await browser.close();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
