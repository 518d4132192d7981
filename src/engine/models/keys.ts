/**
 * Where the worker saves a run's trained model (tf.io's IndexedDB): indexeddb://fairdistill/<run>/<model>.
 * A run owns exactly the keys built here from its own id and its models' labels — compared whole, never
 * by substring, so no other run's id (an imported "fairdistill" or "teachers") can match them.
 */
export const MODEL_ROOT = 'indexeddb://fairdistill/';
/** Imported teachers: the user's list, owned by no run. */
export const TEACHER_ROOT = `${MODEL_ROOT}teachers/`;

const keySafe = (text: string) => text.replace(/[^\p{L}\p{N}.=-]+/gu, '_');

export function savedModelKey(runId: string, label: string): string {
  return `${MODEL_ROOT}${runId}/${keySafe(label)}`;
}

/** A fresh key for an imported teacher: each import its own, so a second model.json never replaces an earlier one. */
export function teacherModelKey(name: string): string {
  return `${TEACHER_ROOT}${keySafe(name)}-${crypto.randomUUID()}`;
}

/** The run or sweep id a model key is saved under (null for imported teachers and foreign keys). */
export function ownerIdOf(key: string): string | null {
  if (!key.startsWith(MODEL_ROOT) || key.startsWith(TEACHER_ROOT)) return null;
  const rest = key.slice(MODEL_ROOT.length);
  const slash = rest.indexOf('/');
  return slash > 0 ? rest.slice(0, slash) : null;
}

/** The models of `models` that the run `runId` saved itself (an imported teacher belongs to the user's list, not the run). */
export function ownedModelKeys(runId: string, models: { label: string; modelKey?: string }[]): string[] {
  return models.flatMap((m) =>
    m.modelKey !== undefined && m.modelKey === savedModelKey(runId, m.label) ? [m.modelKey] : [],
  );
}
