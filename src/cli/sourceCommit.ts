import { execFileSync } from 'node:child_process';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The commit the runner's code comes from, recorded with every result so a merged file says which code
 * made each cell: FAIRDISTILL_COMMIT where a deploy sets it, the commit the self-contained bundle was built
 * from (it has no .git), else `git rev-parse HEAD` of the checkout this file is in, with "-dirty" when tracked files differ
 * from it. Undefined where neither is known.
 */
export function sourceCommit(): string | undefined {
  if (process.env.FAIRDISTILL_COMMIT) return process.env.FAIRDISTILL_COMMIT;
  const bundled = (globalThis as { FAIRDISTILL_BUNDLE_COMMIT?: string }).FAIRDISTILL_BUNDLE_COMMIT;
  if (bundled !== undefined) return bundled || undefined;
  try {
    const cwd = dirname(fileURLToPath(import.meta.url));
    const git = (...args: string[]) =>
      execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const head = git('rev-parse', 'HEAD');
    return git('status', '--porcelain', '--untracked-files=no') ? `${head}-dirty` : head;
  } catch {
    return undefined;
  }
}
