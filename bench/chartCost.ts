import { buildLabApp, serveDir } from './serveDir';

/**
 * What the live charts cost training: the built app runs the same small sweep with the loss chart
 * drawn (throttled to 2 redraws/s) and with ?charts=0, alternating, on the page's own worker.
 */
export async function chartCost(
  browser: import('@playwright/test').Browser,
  log: (s: string) => void,
): Promise<{ visibleSeconds: number[]; hiddenSeconds: number[]; url: string }> {
  const appRoot = await buildLabApp();
  const origin = 'http://localhost:4998';
  const query = '?preset=tiny&methods=kd&lambdas=0,1&baseline=0&teacherEpochs=3&studentEpochs=3';
  const once = async (visible: boolean) => {
    const context = await browser.newContext(); // fresh IndexedDB: both modes generate the dataset
    const page = await context.newPage();
    await serveDir(page, origin, appRoot);
    await page.goto(`${origin}/${query}${visible ? '' : '&charts=0'}`);
    await page.waitForSelector('[data-testid="backend-badge"][data-backend="wasm"]');
    const t0 = Date.now();
    await page.getByTestId('distill').click();
    await page.waitForSelector('[data-testid="stage"]:has-text("Done")', { timeout: 600_000 });
    const seconds = (Date.now() - t0) / 1000;
    await context.close();
    return seconds;
  };
  const visibleSeconds: number[] = [],
    hiddenSeconds: number[] = [];
  for (let i = 0; i < 2; i++) {
    visibleSeconds.push(await once(true));
    hiddenSeconds.push(await once(false));
  }
  log('charts visible vs hidden done');
  return { visibleSeconds, hiddenSeconds, url: query };
}
