import type { ExperimentConfig } from '../engine/types';
import { hold, lockName, tryHold } from '../storage/crossTab';
import { datasetKeyOf } from './datasetLoader';

/**
 * Takes the locks a sweep runs under: its own (exclusive: one tab runs a sweep; null when another tab
 * runs it) and shared ones on the dataset and imported teacher it reads, so no tab deletes them
 * under it. Resolves to the function that releases them all.
 */
export async function holdSweep(id: string, config: ExperimentConfig): Promise<(() => void) | null> {
  const own = await tryHold(lockName.sweep(id));
  if (!own) return null;
  const reads = [
    lockName.dataset(datasetKeyOf(config.dataset)),
    ...(config.teacherImport ? [lockName.model(config.teacherImport.key)] : []),
  ];
  const shared = await Promise.all(reads.map((n) => hold(n, 'shared')));
  return () => {
    for (const release of [...shared, own]) release();
  };
}
