import { storageClosedReason } from './db';

/**
 * Storage space and storage errors, in words: a full disk must be named as such (a QuotaExceededError
 * often carries an empty message), and a write that cannot fit is refused before it is tried.
 */

/** What went wrong with a storage write, never an empty string. */
export function storageErrorMessage(e: unknown): string {
  const err = e as { name?: string; message?: string } | null;
  // A connection closed under a write ("InvalidStateError … connection is closing") says why it closed.
  const closed = storageClosedReason();
  if (closed && (err?.name === 'InvalidStateError' || /clos/i.test(err?.message ?? ''))) return closed;
  if (err?.name === 'QuotaExceededError')
    return `the browser’s storage for this site is full (QuotaExceededError${err.message ? `: ${err.message}` : ''})`;
  if (err?.message) return err.name && err.name !== 'Error' ? `${err.name}: ${err.message}` : err.message;
  return `${err?.name ?? 'an unknown storage error'} (the browser gave no detail)`;
}

const mb = (b: number) => `${(b / 1e6).toFixed(1)} MB`;

/**
 * Why `bytes` more will not fit in this site's storage (with room for the database's own overhead),
 * or null when it should, or when the browser does not say.
 */
export async function noRoomFor(bytes: number, what: string): Promise<string | null> {
  const estimate = await globalThis.navigator?.storage?.estimate?.().catch(() => null);
  if (!estimate?.quota) return null;
  const free = estimate.quota - (estimate.usage ?? 0);
  return free < bytes * 1.2
    ? `${what} needs about ${mb(bytes)} and the browser leaves this site ${mb(Math.max(0, free))} (quota ${mb(estimate.quota)})`
    : null;
}
