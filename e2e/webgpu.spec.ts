import { expect, test } from '@playwright/test';
import { watchRequests } from './offline';

test('WebGPU on a software adapter is passed over for wasm, and the badge says why', async ({ page }) => {
  await page.goto('/?preset=tiny');
  const badge = page.getByTestId('backend-badge');
  await expect(badge).toHaveAttribute('data-backend', 'wasm');
  // Plain words on the badge; the renderer's own names in its detail (the tooltip).
  await expect(page.getByTestId('backend-why')).toContainText('no GPU found: the CPU trains');
  await expect(page.getByTestId('backend-why')).toHaveAttribute('data-detail', /WebGPU runs on a software adapter/);
});

test('forced to WebGPU, the tiny run trains on the webgpu backend', async ({ page }) => {
  // SwiftShader runs WebGPU on the CPU: this run takes 3.3–3.4 min here alone, and longer beside other work.
  test.setTimeout(600_000);
  const offsite = watchRequests(page);
  await page.goto('/?backend=webgpu&preset=tiny&teacherEpochs=1&studentEpochs=1&baseline=0');
  const badge = page.getByTestId('backend-badge');
  await expect(badge).toHaveAttribute('data-backend', 'webgpu');
  await page.getByTestId('distill').click();
  const table = page.getByTestId('results-table');
  await expect(table.getByTestId('result-row-student')).toHaveCount(1, { timeout: 560_000 });
  await expect(page.getByText(/test images · webgpu · /)).toBeVisible();
  const acc = Number(await table.getByTestId('result-row-student').locator('[data-metric="accuracy"]').innerText());
  expect(Number.isFinite(acc)).toBe(true);
  expect(offsite).toEqual([]);
});
