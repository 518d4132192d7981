import { expect, test } from '@playwright/test';

test('a malformed message to the engine worker becomes an error in the page, and the lab keeps working', async ({
  page,
}) => {
  await page.goto('/?preset=tiny&lambdas=0&baseline=0&teacherEpochs=1&studentEpochs=1');
  await expect(page.getByTestId('backend-badge')).toHaveAttribute('data-backend', 'wasm');
  const engine = page.workers().find((w) => w.url().includes('engine.worker'));
  expect(engine).toBeDefined();
  // As if the page had posted these: the worker's own boundary must answer them.
  await engine!.evaluate(() => {
    self.dispatchEvent(new MessageEvent('message', { data: 42 }));
  });
  await expect(page.getByTestId('error')).toContainText(
    'The engine received a malformed message: message is not an object.',
  );
  await engine!.evaluate(() => {
    self.dispatchEvent(new MessageEvent('message', { data: { type: 'run', config: { methods: [] } } }));
  });
  await expect(page.getByTestId('error')).toContainText('run message without a complete experiment config');
  await page.getByTestId('distill').click();
  await expect(page.getByTestId('stage')).toHaveText('Done', { timeout: 240_000 });
  await expect(page.getByTestId('error')).toHaveCount(0);
});
