import { expect, test } from '@playwright/test';
import { watchRequests } from './offline';
import { storedRecords, storedRunCurves } from './storage';
import { TOLERANCES } from '../src/engine/run/backendCheck';

const relative = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b), 1e-3);

test('WebGPU on a software adapter is passed over for wasm, and the badge says why', async ({ page }) => {
  await page.goto('/?preset=tiny');
  const badge = page.getByTestId('backend-badge');
  await expect(badge).toHaveAttribute('data-backend', 'wasm');
  // Plain words on the badge; the renderer's own names in its detail (the tooltip).
  await expect(page.getByTestId('backend-why')).toContainText('no GPU found: the CPU trains');
  await expect(page.getByTestId('backend-why')).toHaveAttribute('data-detail', /WebGPU runs on a software adapter/);
});

// 268 of the tiny preset's images at 8 px: 160 to train on, five whole batches of 32 an epoch, all five compared.
// One batch size and small images: a software adapter's time goes into compiling a program for each shape
// and into the convolutions (a remainder batch would compile every gradient program a second time).
const SETUP = 'preset=tiny&examples=268&imageSize=8&teacherEpochs=1&studentEpochs=1&baseline=0';

test('forced to WebGPU, the tiny run trains on the lab’s own gradient kernels and its first losses match wasm’s', async ({
  page,
  browser,
}) => {
  // SwiftShader runs WebGPU on the CPU: this run takes about a minute here alone, and longer beside other work.
  test.setTimeout(720_000);
  const offsite = watchRequests(page);
  await page.goto(`/?backend=webgpu&${SETUP}`);
  const badge = page.getByTestId('backend-badge');
  await expect(badge).toHaveAttribute('data-backend', 'webgpu');
  await expect(badge).toHaveAttribute('title', /convolution gradients: own WebGPU gradient kernels/);
  await page.getByTestId('distill').click();
  const table = page.getByTestId('results-table');
  await expect(table.getByTestId('result-row-student')).toHaveCount(1, { timeout: 560_000 });
  await expect(page.getByText(/test images · webgpu · /)).toBeVisible();
  const acc = Number(await table.getByTestId('result-row-student').locator('[data-metric="accuracy"]').innerText());
  expect(Number.isFinite(acc)).toBe(true);
  expect(offsite).toEqual([]);
  await expect.poll(async () => (await storedRecords(page)).runs.length).toBe(1);
  const gpu = await storedRunCurves(page);

  // The same seeded run on wasm, in a profile of its own.
  const context = await browser.newContext();
  const wasm = await context.newPage();
  await wasm.goto(`/?backend=wasm&${SETUP}`);
  await expect(wasm.getByTestId('backend-badge')).toHaveAttribute('data-backend', 'wasm');
  await wasm.getByTestId('distill').click();
  await expect(wasm.getByTestId('results-table').getByTestId('result-row-student')).toHaveCount(1, {
    timeout: 120_000,
  });
  await expect.poll(async () => (await storedRecords(wasm)).runs.length).toBe(1);
  const cpu = await storedRunCurves(wasm);
  await context.close();

  expect(Object.keys(gpu).sort()).toEqual(Object.keys(cpu).sort());
  // The backend check's tolerances: the teacher's first loss to 1e-5, the first steps of every model to 2e-2.
  const first = (curves: typeof gpu, label: string) => Object.values(curves[label][0].terms)[0];
  expect(relative(first(gpu, 'Teacher'), first(cpu, 'Teacher'))).toBeLessThanOrEqual(TOLERANCES.firstLoss);
  for (const label of Object.keys(cpu)) {
    const n = 5;
    expect(cpu[label].length, label).toBeGreaterThanOrEqual(n);
    expect(gpu[label].length, label).toBeGreaterThanOrEqual(n);
    for (let i = 0; i < n; i++)
      for (const [term, value] of Object.entries(cpu[label][i].terms))
        expect(
          relative(gpu[label][i].terms[term], value),
          `${label} step ${cpu[label][i].step} ${term}`,
        ).toBeLessThanOrEqual(TOLERANCES.anyLoss);
  }
});
