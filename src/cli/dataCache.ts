import { createHash } from 'node:crypto';
import {
  existsSync,
  linkSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { preparedIdentity, type FolderPlan } from '../engine/data/folderPlan';
import { chunkRanges, type ChunkRecord, type ChunkSink } from '../engine/data/folderPrepare';
import { imagesPerChunk, type PixelChunks } from '../engine/data/pixelChunks';
import { writeAtomic } from './atomicFile';

/**
 * The runner's prepared data on disk (`--data-cache DIR`): one folder per source, image size and
 * options, named by a hash of the plan (every file's path and size, its class, group and box, the order),
 * holding a chunk's pixels (chunk-00012.bin, raw RGB) and its record (chunk-00012.json, written after the
 * pixels: a chunk with its record is finished). A preparation stopped at any moment goes on from its
 * finished chunks; a changed file list prepares a new folder. Shards of a sweep on one machine prepare
 * once: the first takes prepare.lock and the others wait for it (a lock whose process is gone is taken
 * over). Raw pixels, not re-encoded JPEGs: a batch costs a file read and no decode (0 ms of a 3.6 s B0
 * step), at 150 KB an image on disk at 224 px (2.1 GB for WIDER) — disk is what a GPU server has.
 */

export interface CacheInfo {
  dir: string;
  /** Chunks found finished by an earlier preparation when this one started. */
  finishedBefore: number;
  chunks: number;
}

/** The key of what preparing a folder reads: every file, label and option (sweep manifests hold it). */
export function preparedKey(plan: FolderPlan, size: number, bytesOf: (p: string) => number, perChunk: number): string {
  const identity = preparedIdentity(plan, size, bytesOf, perChunk);
  return `prepared:${createHash('sha256').update(identity).digest('hex').slice(0, 16)}`;
}

/** The cache folder of a prepared key: one per source, size and plan. */
export function cacheFolder(root: string, source: FolderPlan['source'], size: number, key: string): string {
  return join(root, `${source}-${size}px-${key.slice('prepared:'.length)}`);
}

const name = (k: number) => `chunk-${String(k).padStart(5, '0')}`;

/** Whether a process of this machine is running (a zombie — killed, not yet reaped — is not). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    // /proc/PID/stat: "pid (name) S …"; the state follows the last ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true; // no /proc (macOS): kill(0) said it runs
  }
}

/** Takes the folder's preparation lock, waiting while another live process holds it. */
export async function takeLock(dir: string, log: (s: string) => void, pollMs = 1000): Promise<() => void> {
  const path = join(dir, 'prepare.lock');
  let said = false;
  // The lock appears whole: its text is written to a file of this process and hard-linked into place
  // (link fails if the lock exists). Creating the lock and then writing it left a moment when another
  // process read it empty, took it for a dead holder's and prepared the same data alongside.
  const mine = join(dir, `prepare.lock.${process.pid}.${hostname()}`);
  for (;;) {
    writeFileSync(mine, `${process.pid} ${hostname()}`);
    try {
      linkSync(mine, path);
      return () => rmSync(path, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    } finally {
      rmSync(mine, { force: true }); // lives only while it is linked: a wait leaves nothing behind
    }
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      continue; // removed between the two calls: try again
    }
    const [pidText, host = hostname()] = text.split(' ');
    const owner = Number(pidText);
    // A process of this machine can be asked whether it runs; one of another machine (a shared
    // filesystem) cannot, and is waited for: the message says which file to remove if it was killed.
    if (!Number.isInteger(owner) || owner <= 0 || (host === hostname() && !alive(owner))) {
      // Its process is gone: take the preparation over. The dead lock is moved aside before it is
      // removed, so that one which a live process took meanwhile is put back, not deleted.
      const aside = `${mine}.dead`;
      try {
        renameSync(path, aside);
      } catch {
        continue; // another process moved it first
      }
      if (readFileSync(aside, 'utf8') !== text) {
        try {
          linkSync(aside, path);
        } catch {
          // a third process took the lock in the moment it was aside: two holders, a race of three
          // processes meeting a dead lock at once, left as rare
        }
      }
      rmSync(aside, { force: true });
      continue;
    }
    if (!said)
      log(
        `waiting for process ${owner} on ${host}, which is preparing this dataset in ${dir} (if that process was killed on another machine, remove ${path})\n`,
      );
    said = true;
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

export function diskSink(dir: string, plan: FolderPlan, size: number, perChunk = imagesPerChunk(size)): ChunkSink {
  const px = size * size * 3;
  const ranges = chunkRanges(plan.items.length, perChunk);
  return {
    finished: async (k) => {
      const rec = join(dir, `${name(k)}.json`);
      if (!existsSync(rec)) return undefined;
      try {
        const record = JSON.parse(await readFile(rec, 'utf8')) as ChunkRecord;
        const [a, b] = ranges[k];
        const fits =
          Array.isArray(record.items) &&
          record.items.every((i) => Number.isInteger(i) && i >= a && i < b) &&
          (await stat(join(dir, `${name(k)}.bin`))).size === record.items.length * px;
        return fits ? record : undefined; // a damaged chunk is prepared again
      } catch {
        return undefined;
      }
    },
    put: (k, pixels, record) => {
      // Pixels first, then the record that says the chunk is finished.
      writeAtomic(join(dir, `${name(k)}.bin`), pixels);
      writeAtomic(join(dir, `${name(k)}.json`), JSON.stringify(record));
      return Promise.resolve();
    },
  };
}

/** The finished chunks as pixels read from disk on demand. */
export function diskChunks(dir: string, records: ChunkRecord[], size: number): PixelChunks {
  const starts: number[] = [];
  let count = 0;
  for (const r of records) {
    starts.push(count);
    count += r.items.length;
  }
  return {
    kind: 'chunks',
    starts,
    count,
    imageBytes: size * size * 3,
    read: async (k) => {
      const b = await readFile(join(dir, `${name(k)}.bin`));
      return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
    },
  };
}

/** Bytes the cache folder holds on disk. */
export function cacheBytes(dir: string): number {
  return readdirSync(dir).reduce((n, f) => n + statSync(join(dir, f)).size, 0);
}

export function ensureCacheRoot(root: string): void {
  try {
    mkdirSync(root, { recursive: true });
  } catch (e) {
    throw new Error(`--data-cache ${root} cannot be made (${(e as Error).message}).`, { cause: e });
  }
}
