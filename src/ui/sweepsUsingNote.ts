import type { SweepUsing } from '../worker/protocol';

/**
 * What a delete confirm adds when interrupted sweeps read the thing deleted: they are named, and the
 * user learns that confirming discards each of them whole (a Resume could never go on without it).
 */
export function sweepsUsingNote(users: SweepUsing[]): string {
  if (!users.length) return '';
  const names = users.map((u) => `“${u.name}” (${u.finished} of ${u.total} models finished)`).join(', ');
  return users.length > 1
    ? ` The interrupted sweeps ${names} read it: deleting it discards them whole, with their saved models (export what finished from the banner first).`
    : ` The interrupted sweep ${names} reads it: deleting it discards that sweep whole, with its saved models (export what finished from the banner first).`;
}
