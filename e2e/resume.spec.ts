import { expect, test, type Locator } from '@playwright/test';

/** The epoch the banner says `label` had checkpointed: the run goes on while the test looks, so it is read, not assumed. */
async function checkpointedEpoch(banner: Locator, label: string, epochs: number): Promise<number> {
  const pattern = new RegExp(`${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} was at epoch (\\d+) of ${epochs}`);
  await expect(banner).toContainText(pattern);
  return Number(pattern.exec((await banner.textContent()) ?? '')![1]);
}

test('a sweep of 3 students interrupted by reloads resumes from its last epoch: finished models and epochs are not redone, all 3 listed once', async ({
  page,
}) => {
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto('/?preset=tiny&lambdas=0,0.5,1&baseline=0&teacherEpochs=4&studentEpochs=6');
  await page.getByTestId('distill').click();
  const meta = page.getByTestId('progress-meta');
  const banner = page.getByTestId('resume-banner');

  // First reload: in the teacher's second epoch, its first on record.
  await expect(meta).toContainText(/Teacher.*epoch [23]\/4/, { timeout: 240_000 }); // a range: expect() polls up to once a second, an epoch can be shorter
  await page.reload();
  await expect(banner).toContainText('its teacher was still training; 3 students to go.');
  const teacherEpoch = await checkpointedEpoch(banner, 'Teacher', 4);
  expect(teacherEpoch).toBeGreaterThanOrEqual(1);
  await expect(page.getByTestId('stored-run')).toHaveCount(0);
  await page.getByTestId('resume').click();
  await expect(page.getByTestId('stage')).toHaveText(
    `Teacher: going on from epoch ${teacherEpoch + 1} (epochs 1–${teacherEpoch} restored from the checkpoint)`,
  );

  // Second reload: in the third epoch of the second student.
  await expect(meta).toContainText(/CKD λ=0\.5.*epoch [3-5]\/6/, { timeout: 240_000 });
  await page.reload();
  await expect(banner).toContainText('its teacher and 1 of 3 students had finished.');
  const studentEpoch = await checkpointedEpoch(banner, 'CKD λ=0.5', 6);
  expect(studentEpoch).toBeGreaterThanOrEqual(2);
  await expect(banner).toContainText('Resuming trains only the 2 left.');
  const stages: string[] = [];
  await page.exposeFunction('recordStage', (s: string) => stages.push(s));
  await page.evaluate(() => {
    const el = document.querySelector('[data-testid="stage"]');
    new MutationObserver(() =>
      (window as never as { recordStage(s: string): void }).recordStage(
        document.querySelector('[data-testid="stage"]')?.textContent ?? '',
      ),
    ).observe(el?.parentElement?.parentElement ?? document.body, {
      subtree: true,
      childList: true,
      characterData: true,
    });
  });
  await page.getByTestId('resume').click();
  await expect(page.getByTestId('stage')).toHaveText('Done', { timeout: 240_000 });
  expect(stages.some((s) => s.startsWith('Resuming: 1 of 3'))).toBe(true);
  expect(stages).toContain(
    `CKD λ=0.5: going on from epoch ${studentEpoch + 1} (epochs 1–${studentEpoch} restored from the checkpoint)`,
  );
  expect(stages).not.toContain('Distilling: CKD λ=0'); // the first student was not redone
  expect(stages.some((s) => s.startsWith('Training the teacher'))).toBe(false); // nor the teacher

  const rows = page.getByTestId('results-table').getByTestId('result-row-student');
  await expect(rows).toHaveCount(3);
  await expect(rows.nth(0)).toHaveAttribute('data-label', 'CKD λ=0');
  await expect(rows.nth(2)).toHaveAttribute('data-label', 'CKD λ=1');
  await expect(page.getByTestId('stored-run')).toHaveCount(1);

  // The sweep record and its epoch checkpoint are gone with the finished run: no banner after another reload.
  await page.reload();
  await expect(page.getByTestId('stored-run')).toHaveCount(1);
  await expect(page.getByTestId('resume-banner')).toHaveCount(0);
  const left = await page.evaluate(
    () =>
      new Promise<number>((resolve, reject) => {
        const open = indexedDB.open('fairdistill-lab');
        open.onerror = () => reject(open.error ?? new Error('indexedDB.open failed'));
        open.onsuccess = () => {
          const count = open.result.transaction('runSnapshots').objectStore('runSnapshots').count();
          count.onsuccess = () => {
            resolve(count.result);
            open.result.close();
          };
        };
      }),
  );
  expect(left).toBe(0);
  expect(pageErrors).toEqual([]);
});

test('an engine worker that fails mid-run is stopped with a message; the sweep resumes in a fresh worker from its last epoch', async ({
  page,
}) => {
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto('/?preset=tiny&lambdas=0&baseline=0&teacherEpochs=2&studentEpochs=6');
  await page.getByTestId('distill').click();
  await expect(page.getByTestId('progress-meta')).toContainText(/CKD λ=0.*epoch [2-5]\/6/, { timeout: 240_000 });
  const engine = page.workers().find((w) => w.url().includes('engine.worker'));
  expect(engine).toBeDefined();
  // An error no handler catches, as a bug or a broken driver would raise.
  await engine!.evaluate(() => {
    setTimeout(() => {
      throw new Error('simulated failure');
    });
  });
  await expect(page.getByTestId('error')).toContainText('The engine worker failed');
  await expect(page.getByTestId('error')).toContainText('simulated failure');
  const banner = page.getByTestId('resume-banner');
  await expect(banner).toContainText('its teacher and 0 of 1 students had finished.');
  const epoch = await checkpointedEpoch(banner, 'CKD λ=0', 6);
  expect(epoch).toBeGreaterThanOrEqual(1);
  await page.getByTestId('resume').click();
  await expect(page.getByTestId('stage')).toHaveText(
    `CKD λ=0: going on from epoch ${epoch + 1} (epochs 1–${epoch} restored from the checkpoint)`,
  );
  await expect(page.getByTestId('stage')).toHaveText('Done', { timeout: 240_000 });
  await expect(page.getByTestId('results-table').getByTestId('result-row-student')).toHaveCount(1);
  await expect(page.getByTestId('stored-run')).toHaveCount(1);
  expect(pageErrors).toEqual([]);
});
