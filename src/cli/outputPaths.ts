import { accessSync, constants, existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/**
 * The runner's output paths, checked before anything trains: a sweep of hours must not end in a write
 * that could never have worked. A file's folder must exist and take a new file (a probe file is written
 * and removed: permissions alone miss read-only mounts); the path must not be a folder. A folder option
 * (--results, --teachers) is created if missing and probed the same way.
 */
export function checkOutputFile(flag: string, path: string): void {
  const full = resolve(path);
  if (existsSync(full) && statSync(full).isDirectory())
    throw new Error(`${flag} ${path} is a folder; give a file name (e.g. ${path.replace(/\/$/, '')}/results.json).`);
  const dir = dirname(full);
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw new Error(
      `${flag} ${path}: the folder ${dirname(path)} does not exist; create it first (nothing was trained).`,
    );
  probe(flag, path, dir);
  if (existsSync(full))
    try {
      accessSync(full, constants.W_OK);
    } catch {
      throw new Error(`${flag} ${path} exists and cannot be written over; choose another path (nothing was trained).`);
    }
}

export function checkOutputFolder(flag: string, path: string): void {
  const full = resolve(path);
  try {
    mkdirSync(full, { recursive: true });
  } catch (e) {
    throw new Error(
      `${flag} ${path} cannot be created (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); choose another folder (nothing was trained).`,
      { cause: e },
    );
  }
  if (!statSync(full).isDirectory()) throw new Error(`${flag} ${path} is a file, not a folder.`);
  probe(flag, path, full);
}

function probe(flag: string, path: string, dir: string): void {
  const file = resolve(dir, `.fairdistill-write-probe-${process.pid}`);
  try {
    writeFileSync(file, '');
  } catch (e) {
    throw new Error(
      `${flag} ${path}: ${dir} does not take new files (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); choose a writable place (nothing was trained).`,
      { cause: e },
    );
  } finally {
    rmSync(file, { force: true });
  }
}
