import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { savedModelKeys, storedRecords } from './storage';
import { makeFolder, writeByHandTeacher } from './fixtures';
import { watchPage } from './offline';

/**
 * An interrupted sweep holds what it reads as a running one does: its imported dataset and teacher cannot
 * be deleted from under it without the user agreeing to discard it whole, and a Resume that lost one of
 * them says why and offers Discard and the export of what finished.
 */

const SETUP = '/?preset=tiny&methods=kd&lambdas=0,1&studentEpochs=400&baseline=0';

/** Tab A imports a folder and a teacher, starts a sweep on them and is closed mid-student. */
async function interruptSweep(context: BrowserContext): Promise<string> {
  const a = await context.newPage();
  await a.goto(SETUP);
  await a.getByTestId('dataset-origin').selectOption('csv');
  await a.getByTestId('import-size').selectOption('16');
  await a.getByTestId('folder-input').setInputFiles(makeFolder());
  await expect(a.getByTestId('dataset-summary')).toContainText('64 images', { timeout: 60_000 });
  await a.getByTestId('teacher-import').setInputFiles(writeByHandTeacher());
  await expect(a.getByTestId('teacher-imported')).toContainText('byhand');
  await a.getByTestId('distill').click();
  await expect(a.getByTestId('progress-meta')).toContainText(/CKD λ=0run 2\/3epoch ([3-9]|[1-9]\d+)\/400/, {
    timeout: 240_000,
  });
  const [sweep] = (await storedRecords(a)).sweeps;
  await a.close(); // the tab is gone: its worker with it, the sweep's record stays
  return sweep;
}

/** Accepts or dismisses the next confirm, answering with its text. */
function nextConfirm(page: Page, accept: boolean): Promise<string> {
  return new Promise((resolve) =>
    page.once('dialog', (d) => {
      resolve(d.message());
      void (accept ? d.accept() : d.dismiss());
    }),
  );
}

test('deleting the dataset or imported teacher of an interrupted sweep names the sweep; declined, nothing goes; confirmed, the sweep goes whole and nothing is orphaned', async ({
  context,
}) => {
  const sweep = await interruptSweep(context);
  const b = await context.newPage();
  const watch = watchPage(b);
  await b.goto(SETUP);
  await expect(b.getByTestId('resume-banner')).toBeVisible();
  const before = await savedModelKeys(b);
  expect(before.filter((k) => k.startsWith('fairdistill/teachers/'))).toHaveLength(1);

  // The dataset: the confirm names the sweep; declined, nothing is deleted.
  await b.getByTestId('dataset-origin').selectOption('csv');
  await expect(b.getByTestId('cached-dataset')).toHaveCount(1);
  const datasetAsked = nextConfirm(b, false);
  await b
    .getByTestId('cached-dataset')
    .getByRole('button', { name: /Delete/ })
    .click();
  expect(await datasetAsked).toContain(
    'The interrupted sweep “CKD · λ 0, 1 · seed 0” (0 of 2 models finished) reads it: deleting it discards that sweep whole',
  );
  await expect(b.getByTestId('cached-dataset')).toHaveCount(1);

  // The teacher: declined, then confirmed.
  await b.getByText(/Imported teachers kept in this browser/).click();
  const teacher = b.getByTestId('stored-teacher');
  await expect(teacher).toHaveCount(1);
  const declined = nextConfirm(b, false);
  await teacher.getByRole('button', { name: 'Delete the imported teacher byhand' }).click();
  expect(await declined).toContain('The interrupted sweep “CKD · λ 0, 1 · seed 0”');
  await expect(teacher).toHaveCount(1);
  expect(await savedModelKeys(b)).toEqual(before);
  expect((await storedRecords(b)).sweeps).toEqual([sweep]);

  const confirmed = nextConfirm(b, true);
  await teacher.getByRole('button', { name: 'Delete the imported teacher byhand' }).click();
  await confirmed;
  await expect(teacher).toHaveCount(0);
  await expect(b.getByTestId('resume-banner')).toHaveCount(0);
  expect((await storedRecords(b)).sweeps).toEqual([]);
  // Nothing of the sweep is left: no model under its id, no teacher; the dataset stays.
  expect(await savedModelKeys(b)).toEqual([]);
  await expect(b.getByTestId('cached-dataset')).toHaveCount(1);
  expect(watch.pageErrors).toEqual([]);
});

test('a Resume whose imported teacher is gone says why, turns Resume off, and offers Discard and the export of what finished', async ({
  context,
}) => {
  await interruptSweep(context);
  const b = await context.newPage();
  await b.goto(SETUP);
  await expect(b.getByTestId('resume-banner')).toBeVisible();
  // The teacher goes behind the lab's back (site data partly cleared): straight from tf.io's database.
  await b.evaluate(
    () =>
      new Promise<void>((resolve, reject) => {
        const open = indexedDB.open('tensorflowjs');
        open.onsuccess = () => {
          const tx = open.result.transaction(['models_store', 'model_info_store'], 'readwrite');
          for (const store of ['models_store', 'model_info_store']) {
            const s = tx.objectStore(store);
            const keys = s.getAllKeys();
            keys.onsuccess = () => {
              for (const k of keys.result as string[]) if (k.startsWith('fairdistill/teachers/')) s.delete(k);
            };
          }
          tx.oncomplete = () => resolve();
          tx.onerror = () => reject(tx.error ?? new Error('transaction failed'));
        };
      }),
  );
  await b.getByTestId('resume').click();
  await expect(b.getByTestId('resume-problem')).toContainText(
    'Its imported teacher “byhand” is no longer stored in this browser (deleted, or site data cleared), so the sweep cannot go on. Discard it, or export',
  );
  await expect(b.getByTestId('stage')).toHaveText('Not resumed');
  await expect(b.getByTestId('resume')).toBeDisabled();
  const [file] = await Promise.all([b.waitForEvent('download'), b.getByTestId('export-interrupted').click()]);
  expect(file.suggestedFilename()).toMatch(/^fairdistill-interrupted-run-.*\.json$/);
  await b.getByTestId('discard-resume').click();
  await expect(b.getByTestId('resume-banner')).toHaveCount(0);
  expect(await storedRecords(b)).toEqual({ runs: [], sweeps: [] });
  expect(await savedModelKeys(b)).toEqual([]);
});

test('a Resume that lost the race to a Discard elsewhere says it was discarded and leaves no stale stage', async ({
  context,
}) => {
  const sweep = await interruptSweep(context);
  const b = await context.newPage();
  await b.goto(SETUP);
  await expect(b.getByTestId('resume-banner')).toBeVisible();
  // What a Discard in another tab leaves, without that tab's announcement reaching this one first.
  await b.evaluate(
    (id) =>
      new Promise<void>((resolve, reject) => {
        const open = indexedDB.open('fairdistill-lab');
        open.onsuccess = () => {
          const tx = open.result.transaction(['sweeps', 'runSnapshots'], 'readwrite');
          tx.objectStore('sweeps').delete(id);
          tx.objectStore('runSnapshots').delete(id);
          tx.oncomplete = () => {
            open.result.close();
            resolve();
          };
          tx.onerror = () => reject(tx.error ?? new Error('transaction failed'));
        };
      }),
    sweep,
  );
  await b.getByTestId('resume').click();
  await expect(b.getByTestId('error')).toContainText(
    'The interrupted sweep was discarded (in another tab, or it finished there); there is nothing to resume.',
  );
  await expect(b.getByTestId('stage')).toHaveText('Not resumed');
  await expect(b.getByTestId('resume-banner')).toHaveCount(0);
});
