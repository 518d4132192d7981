import { expect, test, type Page } from '@playwright/test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeLargeWiderCopy } from '../src/cli/widerFolderKit';

/**
 * A folder import stored chunk by chunk: at 224 px, 500 WIDER photos are three chunks (222, 222, 56 images).
 * Cancelled halfway it leaves nothing stored; cut short by a reload after its first chunk, the next import
 * of the same folder goes on from that chunk and ends with the bytes of an import never interrupted.
 */

const photos = makeLargeWiderCopy(join(mkdtempSync(join(tmpdir(), 'wider-e2e-')), 'WIDER'), {
  trainval: 250,
  test: 250,
  width: 160,
  height: 120,
}).dir;

/** The lab database's prepared dataset chunks: index, item count and a SHA-256 of the pixels. */
function chunks(page: Page): Promise<string[]> {
  return page.evaluate(
    () =>
      new Promise<string[]>((resolve, reject) => {
        const open = indexedDB.open('fairdistill-lab');
        open.onerror = () => reject(open.error ?? new Error('indexedDB.open failed'));
        open.onsuccess = () => {
          const db = open.result;
          const all = db.transaction('datasetChunks').objectStore('datasetChunks').getAll();
          all.onsuccess = async () => {
            db.close();
            const rows = all.result as { key: string; index: number; bytes: ArrayBuffer; items?: number[] }[];
            const out: string[] = [];
            // Prepared chunks only (they carry their items); the built-in data's byte chunks are not the import's.
            for (const r of rows.filter((row) => row.items)) {
              const d = new Uint8Array(await crypto.subtle.digest('SHA-256', r.bytes));
              out.push(`${r.index}:${r.items?.length}:${Array.from(d.slice(0, 8), (b) => b.toString(16)).join('')}`);
            }
            resolve(out.sort());
          };
        };
      }),
  );
}

async function startImport(page: Page): Promise<void> {
  await page.goto('/?preset=tiny');
  await page.getByTestId('dataset-origin').selectOption('wider');
  await page.getByTestId('import-size').selectOption('224');
  await page.getByTestId('folder-input').setInputFiles(photos);
}

const done = async (page: Page) =>
  Number(/^(\d+) \//.exec((await page.getByTestId('import-progress').textContent()) ?? '')?.[1] ?? 0);

test('a cancelled import keeps nothing; one cut short goes on from its stored chunk to the same bytes', async ({
  browser,
}) => {
  // Uninterrupted, in a context of its own: the reference bytes.
  const ref = await browser.newContext();
  const refPage = await ref.newPage();
  await startImport(refPage);
  await expect(refPage.getByTestId('dataset-summary')).toContainText('500 images', { timeout: 120_000 });
  await expect(refPage.getByTestId('dataset-summary')).toContainText('a run holds at most');
  const whole = await chunks(refPage);
  expect(whole.map((c) => c.split(':').slice(0, 2).join(':'))).toEqual(['0:222', '1:222', '2:56']);
  await ref.close();

  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  // Cancelled partway through its first chunk: a message, no dataset, no chunk.
  await startImport(page);
  await expect.poll(() => done(page), { timeout: 60_000 }).toBeGreaterThan(30);
  await page.getByTestId('import-cancel').click();
  await expect(page.getByTestId('dataset-error')).toHaveText('The import was cancelled; nothing of it was kept.');
  await expect(page.getByTestId('cached-dataset')).toHaveCount(0);
  expect(await chunks(page)).toEqual([]);

  // Cut short by a reload once its first chunk is stored; the next import finds that chunk.
  await startImport(page);
  await expect.poll(() => done(page), { timeout: 60_000 }).toBeGreaterThan(230);
  await page.reload();
  expect((await chunks(page)).length).toBeGreaterThanOrEqual(1);
  await startImport(page);
  await expect(page.getByTestId('import-progress')).toContainText(/[12] chunks? found from an interrupted import/);
  await expect(page.getByTestId('dataset-summary')).toContainText('500 images', { timeout: 120_000 });
  expect(await chunks(page)).toEqual(whole);
  await ctx.close();
});
