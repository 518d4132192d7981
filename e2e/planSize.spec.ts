import { expect, test, type Page } from '@playwright/test';

/** A plan too large to train is refused from the sizes of its lists, at once, on every path of the page. */

const T = Array.from({ length: 400 }, (_, i) => (0.5 + i * 0.1).toFixed(1)).join(',');
const LAMBDAS = Array.from({ length: 50 }, (_, i) => i).join(',');

async function longTasks(page: Page): Promise<number[]> {
  return page.evaluate(() => (window as unknown as { longTasks: number[] }).longTasks);
}

test.beforeEach(async ({ page }) => {
  await page.addInitScript(() => {
    const w = window as unknown as { longTasks: number[] };
    w.longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.longTasks.push(Math.round(e.duration));
    }).observe({ type: 'longtask', buffered: true });
  });
});

test('a link planning 20,000 students (400 T × 50 λ) is refused with the product named, without freezing the page', async ({
  page,
}) => {
  await page.goto(`/?preset=tiny&methods=kd&baseline=0&lambdas=${LAMBDAS}&sweep=${encodeURIComponent(`kd.T=${T}`)}`);
  await expect(page.getByTestId('form-errors')).toContainText(
    'The plan holds 20,000 students (methods × swept values × λ); at most 1,000 fit one sweep.',
  );
  await expect(page.getByTestId('distill')).toBeDisabled();
  // The page's own start-up (the engine, plotly) aside, no task comes near the seconds it took.
  expect(Math.max(0, ...(await longTasks(page)))).toBeLessThan(2000);
});

test('3,000 values typed in the sweep field are refused at each edit in well under a second', async ({ page }) => {
  await page.goto('/?preset=tiny&methods=kd&baseline=0&lambdas=0,1');
  await expect(page.getByTestId('distill')).toBeEnabled();
  const before = (await longTasks(page)).length;
  await page
    .locator('.method', { has: page.getByTestId('method-kd') })
    .getByText('Hyper-parameters')
    .click();
  await page.getByTestId('sweep-param-kd').selectOption('temperature');
  const many = Array.from({ length: 3000 }, (_, i) => (0.5 + i * 0.01).toFixed(2)).join(', ');
  await page.getByTestId('sweep-values-kd').fill(many);
  await expect(page.getByTestId('form-errors')).toContainText('The plan holds 6,000 students');
  await page.getByTestId('sweep-values-kd').press('End');
  await page.getByTestId('sweep-values-kd').pressSequentially(', 31');
  // The comma typed stays in the field while the value after it is typed.
  await expect(page.getByTestId('sweep-values-kd')).toHaveValue(/30\.49, 31$/);
  await expect(page.getByTestId('form-errors')).toContainText('The plan holds 6,002 students');
  const tasks = (await longTasks(page)).slice(before);
  expect(Math.max(0, ...tasks)).toBeLessThan(1000);
});
