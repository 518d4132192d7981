import { expect, test } from '@playwright/test';
import { watchCsp, watchRequests } from './offline';

test('click Distill on the tiny preset: teacher and student trained, measured and stored', async ({ page }) => {
  const offsite = watchRequests(page);
  const csp = watchCsp(page);
  const consoleErrors: string[] = [];
  page.on('pageerror', (e) => consoleErrors.push(e.message));
  await page.goto('/?preset=tiny');

  const badge = page.getByTestId('backend-badge');
  await expect(badge).toHaveAttribute('data-backend', /webgpu|webgl|wasm|cpu/);
  const backend = await badge.getAttribute('data-backend');
  // Headless Chromium here has no GPU: WebGPU is off without its flag and WebGL is software-only,
  // so the lab must pick wasm and say why it passed the others over.
  expect(backend).toBe('wasm');
  await expect(page.getByTestId('backend-why')).toBeVisible();

  await page.getByTestId('distill').click();
  await expect(page.getByTestId('progress-meta')).toBeVisible();
  const table = page.getByTestId('results-table');
  await expect(table.getByTestId('result-row-student')).toHaveCount(1, { timeout: 240_000 });
  await expect(page.getByTestId('stage')).toHaveText('Done');

  for (const role of ['teacher', 'student', 'baseline']) {
    const row = table.getByTestId(`result-row-${role}`);
    for (const metric of ['accuracy', 'macroF1', 'disparity', 'floor', 'excess', 'params']) {
      const text = (await row.locator(`[data-metric="${metric}"]`).innerText()).replace(/,/g, '');
      expect(Number.isFinite(Number(text)), `${role} ${metric} = "${text}"`).toBe(true);
    }
  }
  // Every bias figure comes with its 95% interval, and the student's change vs the teacher with a paired one.
  await expect(table.getByTestId('result-row-teacher').locator('[data-interval="disparity"]')).toHaveText(
    /^\[-?\d+\.\d, -?\d+\.\d\]$/,
  );
  await expect(table.getByTestId('result-row-student').locator('[data-metric="biasIncrease"] .ci')).toHaveText(
    /^\[[+−]\d+%, [+−]\d+%\]$/,
  );
  // The result mentions the backend it ran on.
  await expect(page.getByText(new RegExp(`test images · ${backend} · `))).toBeVisible();
  await expect(page.getByTestId('stored-run')).toHaveCount(1);
  await page.screenshot({ path: 'test-results/lab-after-tiny-run.png', fullPage: true });

  // A second run of the same dataset reads it from the IndexedDB cache.
  await page.reload();
  await expect(page.getByTestId('stored-run')).toHaveCount(1);
  await expect(badge).toHaveAttribute('data-backend', 'wasm');
  await page.getByTestId('student-epochs').fill('1');
  await page.getByTestId('teacher-epochs').fill('1');
  await page.getByTestId('distill').click();
  await expect(page.getByTestId('dataset-source')).toContainText('loaded from the IndexedDB cache');
  await page.getByTestId('cancel').click();
  await expect(page.getByTestId('stage')).toHaveText('Cancelled');
  await expect(page.getByTestId('stored-run')).toHaveCount(1);

  expect(consoleErrors).toEqual([]);
  expect(offsite).toEqual([]);
  // The built page carries its Content-Security-Policy, and everything above ran under it.
  await expect(page.locator('meta[http-equiv="Content-Security-Policy"]')).toHaveAttribute(
    'content',
    /script-src 'self' 'wasm-unsafe-eval'/,
  );
  expect(csp).toEqual([]);
});
