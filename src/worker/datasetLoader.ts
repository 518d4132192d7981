import { generateSynthetic, syntheticKey } from '../engine/data/synthetic';
import type { Dataset, DatasetConfig, InMemoryDataset } from '../engine/types';
import { storedChunks } from './datasetChunks';
import { toStored } from './storedRecord';
import { type LabDb, type StoredDataset } from '../storage/db';
import { getDataset, putDataset } from '../storage/datasets';

/** A stored dataset as the engine reads it: pixels in memory, or (an imported folder) chunks read from db. */
export function fromStored(s: StoredDataset, db: LabDb): Dataset {
  if (s.chunkImages) return { ...inMemory(s, new ArrayBuffer(0)), images: storedChunks(db, s) };
  return inMemory(s, s.images);
}

function inMemory(s: StoredDataset, images: ArrayBuffer): InMemoryDataset {
  return {
    key: s.key,
    name: s.name,
    config: s.config,
    size: s.size,
    count: s.count,
    classNames: s.classNames,
    groupNames: s.groupNames,
    images: new Uint8Array(images),
    labels: new Uint8Array(s.labels),
    groups: new Int8Array(s.groups),
    split: new Uint8Array(s.split),
  };
}

export interface LoadedDataset {
  dataset: Dataset;
  fromCache: boolean;
  /** Why the cache could not be used or written, if it could not (the run goes on without it). */
  cacheWarning?: string;
}

/** The key a dataset is cached under: an imported one's own, a built-in one's from its settings. */
export function datasetKeyOf(config: DatasetConfig): string {
  return config.kind === 'imported' ? config.key : syntheticKey(config);
}

/** Reads the dataset from IndexedDB when it was made before; else generates and stores it. */
export async function loadDataset(config: DatasetConfig, db: LabDb | null): Promise<LoadedDataset> {
  if (config.kind === 'imported') {
    // The user's own images exist only in the cache: there is nothing to regenerate them from.
    const hit = db ? await getDataset(db, datasetKeyOf(config)) : undefined;
    if (!hit)
      throw new Error(
        `The dataset “${config.name}” is no longer in this browser’s storage (site data cleared, or deleted). Load its folder again.`,
      );
    return { dataset: fromStored(hit, db!), fromCache: true };
  }
  const key = datasetKeyOf(config);
  let cacheWarning: string | undefined;
  if (db) {
    try {
      const hit = await getDataset(db, key);
      if (hit) return { dataset: fromStored(hit, db), fromCache: true };
    } catch (e) {
      cacheWarning = `The dataset cache could not be read (${(e as Error).message}); generating it again.`;
    }
  }
  const dataset = generateSynthetic(config);
  if (db) {
    try {
      await putDataset(db, toStored(dataset));
    } catch (e) {
      const err = e as Error;
      cacheWarning =
        err.name === 'QuotaExceededError'
          ? 'The browser’s storage quota is full, so this dataset was not cached; it will be generated again next time.'
          : `The dataset could not be cached (${err.message}).`;
    }
  }
  return { dataset, fromCache: false, cacheWarning };
}
