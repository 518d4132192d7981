import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { BatchReader, makeBatch } from '../engine/data/batches';
import { CancelledError } from '../engine/run/errors';
import type { InMemoryDataset } from '../engine/types';
import { takeLock } from './dataCache';
import { readFolderData } from './folderData';
import { makeWiderCopy } from './imageFolderKit';
import type { PrepareReport } from './runnerData';
import { makeLargeWiderCopy } from './widerFolderKit';
import { labCommand } from './labUnderTest';

/**
 * The runner's prepared data on disk: the same dataset as one prepared in memory, found again instead of
 * prepared twice, gone on from after a stop or a kill with the same bytes as an uninterrupted
 * preparation, a damaged chunk prepared again, and one preparation at a time per folder.
 */

const tmp = (p: string) => mkdtempSync(join(tmpdir(), p));
const SIZE = 16;
const files = (dir: string) => readdirSync(dir).sort();
const bytesOf = (dir: string) =>
  Object.fromEntries(
    files(dir).map((f) => [
      f,
      createHash('sha256')
        .update(readFileSync(join(dir, f)))
        .digest('hex'),
    ]),
  );

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('--data-cache: prepared chunks on disk', () => {
  const wider = makeWiderCopy();
  const opts = { size: SIZE, seed: 3, wider: { mode: 'person' as const, classes: 'clusters' as const }, perChunk: 7 };

  it('holds the dataset a preparation in memory makes, chunk by chunk, and is found the second time', async () => {
    const memory = await readFolderData({ source: 'wider', dir: wider }, { ...opts, cache: null }, () => {});
    const root = tmp('cache-');
    const disk = await readFolderData({ source: 'wider', dir: wider }, { ...opts, cache: root }, () => {});
    expect(disk.cache!.chunks).toBe(8); // 52 listed person boxes in chunks of 7
    expect(disk.cache!.finishedBefore).toBe(0);
    const m = memory.dataset as InMemoryDataset;
    const d = disk.dataset;
    expect(d.key).toBe(m.key);
    expect([d.count, [...d.labels], [...d.groups], [...d.split], d.classNames]).toEqual([
      m.count,
      [...m.labels],
      [...m.groups],
      [...m.split],
      m.classNames,
    ]);
    expect(disk.skipped).toEqual(memory.skipped);
    const all = Int32Array.from({ length: d.count }, (_, i) => d.count - 1 - i);
    const a = makeBatch(m, all, 0, all.length, m.classNames.length);
    const b = await new BatchReader(d).batch(all, 0, all.length, d.classNames.length);
    expect(Array.from(await b.x.data())).toEqual(Array.from(await a.x.data()));
    tf.dispose([a.x, a.labels, a.oneHot, a.groups, a.groupMask, b.x, b.labels, b.oneHot, b.groups, b.groupMask]);
    const again = await readFolderData({ source: 'wider', dir: wider }, { ...opts, cache: root }, () => {});
    expect(again.cache).toEqual({ ...disk.cache, finishedBefore: 8 });
    // Another image size is another preparation, beside the first.
    await readFolderData({ source: 'wider', dir: wider }, { ...opts, size: 8, cache: root }, () => {});
    expect(readdirSync(root)).toHaveLength(2);
  });

  it('a stopped preparation keeps whole chunks only and goes on to the bytes of an uninterrupted one', async () => {
    const whole = tmp('cache-');
    const ref = await readFolderData({ source: 'wider', dir: wider }, { ...opts, cache: whole }, () => {});
    const root = tmp('cache-');
    let asked = 0;
    await expect(
      readFolderData(
        { source: 'wider', dir: wider },
        { ...opts, cache: root, shouldStop: () => ++asked > 24 },
        () => {},
      ),
    ).rejects.toBeInstanceOf(CancelledError);
    const dir = join(root, readdirSync(root)[0]);
    expect(files(dir)).toEqual([
      'chunk-00000.bin',
      'chunk-00000.json',
      'chunk-00001.bin',
      'chunk-00001.json',
      'chunk-00002.bin',
      'chunk-00002.json',
    ]); // 24 images decoded: three whole chunks of 7, no lock, no half-written file
    // A damaged chunk (its pixels cut short) is prepared again, not read.
    truncateSync(join(dir, 'chunk-00001.bin'), 10);
    const resumed = await readFolderData({ source: 'wider', dir: wider }, { ...opts, cache: root }, () => {});
    expect(resumed.cache!.finishedBefore).toBe(2);
    expect(bytesOf(dir)).toEqual(bytesOf(ref.cache!.dir));
  });

  it('one preparation at a time: a live holder of the lock is waited for, a dead one’s lock taken over', async () => {
    const dir = tmp('lock-');
    writeFileSync(join(dir, 'prepare.lock'), `${process.ppid} ${hostname()}`); // a live process that is not this one
    const said: string[] = [];
    let got = false;
    const taking = takeLock(dir, (s) => said.push(s), 20).then((unlock) => {
      got = true;
      return unlock;
    });
    await new Promise((r) => setTimeout(r, 150));
    expect(got).toBe(false);
    expect(said.join('')).toContain(`waiting for process ${process.ppid}`);
    writeFileSync(join(dir, 'prepare.lock'), '999999999'); // its process is gone
    (await taking)();
    expect(existsSync(join(dir, 'prepare.lock'))).toBe(false);
  });

  it('excludes: four processes taking the lock 200 times each never hold it together, and leave nothing', async () => {
    // The lock once was created empty and then written: a process reading it in between took it for a
    // dead holder's and two shards prepared the same data (CI saw it in dataSweep.test.ts).
    const dir = tmp('contend-');
    const contender = (): Promise<string> =>
      new Promise((resolve) => {
        const p = spawn(process.execPath, ['--import', 'tsx', 'src/cli/lockContender.ts', dir, '200']);
        let out = '';
        p.stdout.on('data', (d: Buffer) => (out += d.toString()));
        p.on('exit', () => resolve(out.trim()));
      });
    const overlaps = await Promise.all([contender(), contender(), contender(), contender()]);
    expect(overlaps).toEqual(['0', '0', '0', '0']);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('--prepare killed halfway goes on from its chunks; every batch streamed once, memory reported', async () => {
    const photos = makeLargeWiderCopy(join(tmp('wider-'), 'WIDER'), {
      trainval: 150,
      test: 150,
      width: 160,
      height: 120,
    });
    const cache = tmp('cache-');
    const args = ['--prepare', '--data', `wider:${photos.dir}`];
    const at224 = [...args, '--image-size', '224', '--data-cache', cache, '--backend', 'cpu'];
    const child = spawn(...labCommand(at224), { stdio: 'ignore' });
    // Killed (no chance to clean up) as soon as its first chunk of 222 images is written; its lock stays.
    let killed = false;
    await new Promise<void>((resolve, reject) => {
      const poll = setInterval(() => {
        const dirs = existsSync(cache) ? readdirSync(cache) : [];
        if (dirs.length && existsSync(join(cache, dirs[0], 'chunk-00000.json'))) {
          clearInterval(poll);
          killed = child.kill('SIGKILL');
        }
      }, 50);
      child.on('exit', () => {
        clearInterval(poll);
        if (killed) resolve();
        else reject(new Error('--prepare ended before it was killed'));
      });
    });
    expect(existsSync(join(cache, readdirSync(cache)[0], 'prepare.lock'))).toBe(true);
    const out = join(cache, 'report.json');
    const r = spawnSync(...labCommand([...at224, '--out', out]), { encoding: 'utf8' });
    expect(r.status, r.stderr.slice(-1500)).toBe(0);
    const report = JSON.parse(readFileSync(out, 'utf8')) as PrepareReport;
    expect(report).toMatchObject({ images: 300, chunks: 2, chunksFromBefore: 1, skipped: 0 });
    expect(report.split.train + report.split.val + report.split.test).toBe(300);
    expect(report.split.test).toBe(150); // WIDER's own test split, kept
    expect(report.stream.batches).toBeGreaterThan(0);
    expect(report.stream.chunkLoads).toBeLessThanOrEqual(2 * 3); // each chunk read once a split at most
    expect(report.cacheBytes).toBe(
      300 * 224 * 224 * 3 +
        readdirSync(report.cache!)
          .filter((f) => f.endsWith('.json'))
          .reduce((n, f) => n + readFileSync(join(report.cache!, f)).length, 0),
    );
    expect(report.peakRssMB).toBeGreaterThan(0);
    expect(r.stdout).toContain('prepared in');
    // The same bytes as a preparation never killed.
    const fresh = tmp('cache-');
    const r2 = spawnSync(...labCommand([...args, '--image-size', '224', '--data-cache', fresh, '--backend', 'cpu']), {
      encoding: 'utf8',
    });
    expect(r2.status, r2.stderr.slice(-800)).toBe(0);
    expect(bytesOf(join(fresh, readdirSync(fresh)[0]))).toEqual(bytesOf(report.cache!));
  }, 180_000);
});
