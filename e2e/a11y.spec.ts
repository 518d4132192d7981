import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';

test('after a finished run the page has no serious or critical accessibility violation (axe)', async ({ page }) => {
  await page.goto('/?preset=tiny&lambdas=0,1&teacherEpochs=1&studentEpochs=1');
  await page.getByTestId('distill').click();
  await expect(page.getByTestId('stage')).toHaveText('Done', { timeout: 240_000 });
  await expect(page.getByTestId('pareto-chart').locator('.main-svg').first()).toBeAttached();
  const results = await new AxeBuilder({ page }).analyze();
  const serious = results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(' | ')}`);
  expect(serious).toEqual([]);
});
