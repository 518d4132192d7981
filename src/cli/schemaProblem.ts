import type { z } from 'zod';

/**
 * A zod failure as the runner's messages name it: the first problem by its field ("finished[0].startedAt:
 * not a date"), for the files it reads (checkpoints, manifests). `whole` names an empty path.
 */
export function firstSchemaProblem(error: z.ZodError, whole = ''): string {
  const issue = error.issues[0];
  const path = issue.path
    .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
    .join('')
    .replace(/^\./, '');
  return `${path || whole}: ${issue.message}`;
}
