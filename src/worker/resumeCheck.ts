import * as tf from '@tensorflow/tfjs';
import type { ExperimentConfig } from '../engine/types';
import { openLabDb } from '../storage/db';
import { getDataset } from '../storage/datasets';
import { listSweeps } from '../storage/sweeps';
import { datasetKeyOf } from './datasetLoader';

/** Why an interrupted sweep cannot be resumed here, or null when it can. */
export async function whyNotResumable(
  id: string,
  config: ExperimentConfig,
): Promise<{ reason: 'discarded' | 'missing'; message: string } | null> {
  const store = await openLabDb();
  const sweep = (await listSweeps(store)).find((s) => s.id === id);
  if (!sweep)
    return {
      reason: 'discarded',
      message:
        'The interrupted sweep was discarded (in another tab, or it finished there); there is nothing to resume.',
    };
  const finished = sweep.students.length + sweep.failures.length + (sweep.teacher ? 1 : 0);
  const remedy = `Discard it, or export the ${finished} model${finished === 1 ? '' : 's'}’ figures that finished.`;
  if (config.dataset.kind === 'imported' && !(await getDataset(store, datasetKeyOf(config.dataset))))
    return {
      reason: 'missing',
      message: `Its dataset “${config.dataset.name}” is no longer stored in this browser, so the sweep cannot go on. Load the same folder again (it gives the same dataset) and resume, or: ${remedy}`,
    };
  const models = await tf.io.listModels();
  const imported = config.teacherImport?.key;
  if (imported && !(imported in models))
    return {
      reason: 'missing',
      message: `Its imported teacher “${config.teacherImport!.name}” is no longer stored in this browser (deleted, or site data cleared), so the sweep cannot go on. ${remedy}`,
    };
  const teacherKey = sweep.teacher?.modelKey;
  if (sweep.teacher && (!teacherKey || !(teacherKey in models)))
    return {
      reason: 'missing',
      message: `Its trained teacher is no longer stored in this browser, so the sweep cannot go on. ${remedy}`,
    };
  return null;
}
