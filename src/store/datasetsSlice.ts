import type { StateCreator } from 'zustand';
import { openLabDb, type DatasetInfo } from '../storage/db';
import { listDatasets } from '../storage/datasets';
import { engine, engineRequest } from './engine';
import type { StoredTeacher, SweepUsing } from '../worker/protocol';
import type { LabState } from './labStore';

/** Cached imported datasets and the import in progress. Deleting goes through the worker. */
export interface DatasetsSlice {
  /** Decoding a picked folder into a dataset. */
  importing: { done: number; total: number; bytes: number; etaSeconds: number | null; resumedChunks: number } | null;
  /** Stops the folder import after its current image; what it stored is removed. */
  cancelImport: () => void;
  cachedDatasets: DatasetInfo[];
  storageUsage: { usage?: number; quota?: number } | null;
  /** Whether the browser agreed to keep the lab's storage under pressure (navigator.storage.persist); null: not asked or not supported. */
  storagePersisted: boolean | null;
  /** Asks the browser to keep the lab's storage (runs, datasets, models) instead of clearing it when space is short. */
  askPersistence: () => void;
  loadDatasets: () => Promise<void>;
  /** Deletes a stored dataset; `discardSweeps`: the interrupted sweeps reading it that the user agreed to discard. */
  deleteDataset: (key: string, discardSweeps?: string[]) => Promise<void>;
  /** The interrupted sweeps that read a dataset or an imported teacher (named in the confirm before deleting it). */
  sweepsUsing: (key: string) => Promise<SweepUsing[]>;
  /** Imported teachers kept in this browser, with their size. */
  teachers: StoredTeacher[];
  loadTeachers: () => Promise<void>;
  deleteTeacher: (key: string, discardSweeps?: string[]) => Promise<void>;
}

export const createDatasetsSlice: StateCreator<LabState, [], [], DatasetsSlice> = (set, get) => ({
  importing: null,
  cancelImport: () => engine().send({ type: 'cancel' }),
  cachedDatasets: [],
  teachers: [],
  loadTeachers: async () => {
    try {
      set({ teachers: await engineRequest<StoredTeacher[]>({ kind: 'listTeachers' }) });
    } catch (e) {
      set({ error: `The imported teachers could not be listed: ${(e as Error).message}` });
    }
  },
  sweepsUsing: async (key) => {
    try {
      return await engineRequest<SweepUsing[]>({ kind: 'sweepsUsing', key });
    } catch {
      return []; // the delete itself refuses, naming the sweep, if one reads it
    }
  },
  deleteTeacher: async (key, discardSweeps) => {
    try {
      await engineRequest({ kind: 'deleteTeacher', key, ...(discardSweeps?.length ? { discardSweeps } : {}) });
      // The setup no longer names a teacher that is gone.
      if (get().config.teacherImport?.key === key) get().updateConfig({ teacherImport: undefined });
    } catch (e) {
      set({ error: `The imported teacher could not be deleted: ${(e as Error).message}` });
    }
    await get().loadTeachers();
    get().offerResume(); // a sweep discarded with it leaves the banner
  },
  storageUsage: null,
  storagePersisted: null,
  askPersistence: () => {
    const storage = typeof navigator === 'undefined' ? undefined : navigator.storage;
    if (!storage?.persist) return;
    void storage.persist().then(
      (granted) => set({ storagePersisted: granted }),
      () => set({ storagePersisted: false }),
    );
  },
  /** Rejects when storage cannot be read: the dataset panel says so beside the list. */
  loadDatasets: async () => {
    const all = await listDatasets(await openLabDb());
    set({
      cachedDatasets: all.filter((d) => d.config.kind === 'imported'),
      storageUsage: (await navigator.storage?.estimate?.()) ?? null,
    });
  },
  deleteDataset: async (key, discardSweeps) => {
    try {
      await engineRequest({ kind: 'deleteDataset', key, ...(discardSweeps?.length ? { discardSweeps } : {}) });
    } catch (e) {
      set({ error: `The cached dataset could not be deleted: ${(e as Error).message}` });
    }
    get().offerResume();
    await get()
      .loadDatasets()
      .catch(() => undefined);
  },
});
