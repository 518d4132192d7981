import { renameSync, writeFileSync } from 'node:fs';

/**
 * Writes a file so that a kill at any moment leaves the old content or the new, never half of either:
 * a temporary file (named by process, so shards writing beside each other never share one) renamed over it.
 */
export function writeAtomic(path: string, data: string | Uint8Array): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}
