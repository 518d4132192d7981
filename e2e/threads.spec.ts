import { expect, test } from '@playwright/test';
import { watchPage } from './offline';

// Once in many full runs (2026-12-07) this run stayed at "Training the teacher" for 4 minutes, a hang in
// the threaded wasm build not reproduced in 55 repeats since (tfjs has known ones: tensorflow/tfjs#4025,
// #4932). It normally trains in 4 s: a hang fails within 90 s and the file runs once more, and Playwright
// lists a pass on the second try as flaky, so the hang stays visible in the report.
test.describe.configure({ retries: 1 });

test('?threads=2 runs the threaded wasm build on two XNNPACK threads and the SIMD kernels on two threads too, under the CSP, and a sweep trains on it', async ({
  page,
}) => {
  const watched = watchPage(page);
  await page.goto('/?preset=tiny&threads=2&lambdas=0&baseline=0&teacherEpochs=1&studentEpochs=1');
  const badge = page.getByTestId('backend-badge');
  await expect(badge).toHaveAttribute('data-backend', 'wasm');
  await expect(badge).toContainText('WASM · 2 threads');
  // The convolution gradients' own kernels: Chromium has relaxed SIMD, and their worker started from a Blob.
  await expect(badge).toHaveAttribute(
    'title',
    /own SIMD kernels, fused multiply-add \(relaxed SIMD\) on 2 threads, with fused swish, batch norm, SE scaling and Adam/,
  );
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
  await page.getByTestId('distill').click();
  await expect(page.getByTestId('stage')).toHaveText('Done', { timeout: 90_000 });
  await expect(page.getByTestId('results-table').getByTestId('result-row-student')).toHaveCount(1);
  expect(watched).toEqual({ pageErrors: [], csp: [], offsite: [] });
});
