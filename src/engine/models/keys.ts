/**
 * Where the worker saves a run's trained model (tf.io's IndexedDB): indexeddb://fairdistill/<run>/<model>.
 * A run owns exactly the keys built here from its own id and its models' labels — compared whole, never
 * by substring, so no other run's id (an imported "fairdistill" or "teachers") can match them.
 */
export function savedModelKey(runId: string, label: string): string {
  return `indexeddb://fairdistill/${runId}/${label.replace(/[^\p{L}\p{N}.=-]+/gu, '_')}`;
}

/** The models of `models` that the run `runId` saved itself (an imported teacher belongs to the user's list, not the run). */
export function ownedModelKeys(runId: string, models: { label: string; modelKey?: string }[]): string[] {
  return models.flatMap((m) =>
    m.modelKey !== undefined && m.modelKey === savedModelKey(runId, m.label) ? [m.modelKey] : [],
  );
}
