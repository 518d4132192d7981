import type { Page } from '@playwright/test';

/** What a page's origin has stored, read straight from IndexedDB (no page code involved). */

/** Keys of the saved models in tf.io's own database ("tensorflowjs"; paths without indexeddb://), sorted. */
export function savedModelKeys(page: Page): Promise<string[]> {
  return page.evaluate(
    () =>
      new Promise<string[]>((resolve, reject) => {
        const open = indexedDB.open('tensorflowjs');
        open.onerror = () => reject(open.error ?? new Error('indexedDB.open failed'));
        open.onsuccess = () => {
          const db = open.result;
          if (!db.objectStoreNames.contains('model_info_store')) {
            db.close();
            return resolve([]);
          }
          const keys = db.transaction('model_info_store').objectStore('model_info_store').getAllKeys();
          keys.onsuccess = () => {
            db.close();
            resolve((keys.result as string[]).sort());
          };
        };
      }),
  );
}

/** Ids of the stored runs and of the sweep records (the lab's own database, read without upgrading it). */
export function storedRecords(page: Page): Promise<{ runs: string[]; sweeps: string[] }> {
  return page.evaluate(
    () =>
      new Promise<{ runs: string[]; sweeps: string[] }>((resolve, reject) => {
        const open = indexedDB.open('fairdistill-lab');
        open.onerror = () => reject(open.error ?? new Error('indexedDB.open failed'));
        open.onsuccess = () => {
          const db = open.result;
          const stores = ['runs', 'sweeps'].filter((s) => db.objectStoreNames.contains(s));
          if (stores.length < 2) {
            db.close();
            return resolve({ runs: [], sweeps: [] });
          }
          const tx = db.transaction(stores);
          const runs = tx.objectStore('runs').getAllKeys();
          const sweeps = tx.objectStore('sweeps').getAllKeys();
          tx.oncomplete = () => {
            db.close();
            resolve({ runs: (runs.result as string[]).sort(), sweeps: (sweeps.result as string[]).sort() });
          };
        };
      }),
  );
}

/** Copies a saved model's records under a new key: the state a crash between a model's save and its record leaves. */
export function copySavedModel(page: Page, from: string, to: string): Promise<void> {
  return page.evaluate(
    ([from, to]) =>
      new Promise<void>((resolve, reject) => {
        const open = indexedDB.open('tensorflowjs');
        open.onerror = () => reject(open.error ?? new Error('indexedDB.open failed'));
        open.onsuccess = () => {
          const db = open.result;
          const tx = db.transaction(['models_store', 'model_info_store'], 'readwrite');
          for (const store of ['models_store', 'model_info_store']) {
            const s = tx.objectStore(store);
            const get = s.get(from);
            get.onsuccess = () => s.put({ ...get.result, modelPath: to });
          }
          tx.oncomplete = () => {
            db.close();
            resolve();
          };
          tx.onerror = () => reject(tx.error ?? new Error('transaction failed'));
        };
      }),
    [from, to],
  );
}

/** The loss curves of the newest stored run, by model label (the lab's own database). */
export function storedRunCurves(
  page: Page,
): Promise<Record<string, { step: number; terms: Record<string, number> }[]>> {
  return page.evaluate(
    () =>
      new Promise<Record<string, { step: number; terms: Record<string, number> }[]>>((resolve, reject) => {
        const open = indexedDB.open('fairdistill-lab');
        open.onerror = () => reject(open.error ?? new Error('indexedDB.open failed'));
        open.onsuccess = () => {
          const db = open.result;
          const all = db.transaction('runs').objectStore('runs').getAll();
          all.onsuccess = () => {
            db.close();
            type Model = { label: string; curve: { step: number; terms: Record<string, number> }[] };
            const runs = all.result as { createdAt: string; result: { teacher: Model; students: Model[] } }[];
            const newest = runs.sort((a, b) => a.createdAt.localeCompare(b.createdAt)).pop();
            if (!newest) return reject(new Error('no stored run'));
            const models = [newest.result.teacher, ...newest.result.students];
            resolve(Object.fromEntries(models.map((m) => [m.label, m.curve])));
          };
          all.onerror = () => reject(all.error ?? new Error('reading the runs failed'));
        };
      }),
  );
}
