import { expect, test } from '@playwright/test';

/** Before a run the page says what a training step will hold, and refuses one the backend cannot, with the batch that fits. */

test('B3 → B0 at 256 px with batch 512 on wasm: refused before Distill, naming the need, the limit and the batch that fits', async ({
  page,
}) => {
  await page.goto(
    '/?preset=tiny&backend=wasm&teacher=efficientnet-b3&student=efficientnet-b0&imageSize=256&batchSize=512&baseline=0',
  );
  await expect(page.getByTestId('duration-estimate')).toHaveText(
    /^A training step at batch size 512 needs about \d+\.\d GB \(the (teacher|student)'s step\), and the wasm backend holds at most 4 GB: batch size \d+ fits\.$/,
    { timeout: 120_000 },
  );
  // A setup that fits says what a step holds beside its duration.
  await page.goto('/?preset=tiny&backend=wasm&baseline=0');
  await expect(page.getByTestId('duration-estimate')).toContainText(
    /a training step holds about \d+(\.\d)? (KB|MB)\. Other work on the machine slows a run past this; the run.s own ETA follows it\.$/,
    {
      timeout: 60_000,
    },
  );
});
