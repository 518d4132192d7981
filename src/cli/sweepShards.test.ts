import { execFile, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunnerOutput } from './merge';
import type { SweepProvenance } from './sweepMerge';
import type { CellResult } from './shardRun';
import { labCommand, labShellCommand } from './labUnderTest';
import { EPOCHS, lab, SETTINGS, unshardedRun } from './sweepTestKit';

/**
 * The cluster tests' sweep (sweepTestKit: 2 methods × 2 λ × 2 seeds on the tiny preset, epochs enough for
 * a kill to land between them), planned once, run as 3 shards by GNU parallel, and merged: the same
 * numbers as one process (the unsharded run those tests share).
 */
const run = promisify(execFile);
const TIMING = new Set(['trainSeconds', 'latencyMs', 'latencySpreadMs', 'startedAt', 'seconds']);
/** The results without what a clock decides. */
const numbers = (value: unknown) =>
  JSON.parse(JSON.stringify(value, (k, v: unknown) => (TIMING.has(k) ? undefined : v)));

async function plan(dir: string) {
  const manifest = join(dir, 'manifest.json');
  await lab('--plan', manifest, ...SETTINGS, ...EPOCHS, '--shards', '3');
  return manifest;
}

let unsharded: RunnerOutput;
let planned: string;

beforeAll(async () => {
  unsharded = await unshardedRun();
  planned = await plan(mkdtempSync(join(tmpdir(), 'fdl-sweep-')));
}, 300_000);

describe('a sweep spread by a job runner', () => {
  it(
    '3 shards under GNU parallel merge to exactly the numbers of the unsharded run',
    { timeout: 300_000 },
    async () => {
      const cmd = labShellCommand(`--manifest ${planned} --shard {}/3 --threads 1 --backend wasm --quiet`);
      await run('parallel', ['-j3', '--halt', 'now,fail=1', cmd, ':::', '0', '1', '2']);
      const cells = join(planned, '..', 'cells');
      expect(readdirSync(cells).filter((f) => f.endsWith('.json'))).toHaveLength(8);
      const teachers = readdirSync(join(planned, '..', 'teachers'));
      expect(teachers.filter((f) => f.endsWith('.teacher'))).toHaveLength(2); // one per seed, shared by the shards
      expect(teachers.filter((f) => f.endsWith('.lock') || f.endsWith('.snapshot'))).toEqual([]);
      const out = join(planned, '..', 'all.json');
      const merged = await lab('--merge', planned, '--out', out);
      expect(merged.stdout).toContain('| CKD λ=1');
      const all = JSON.parse(readFileSync(out, 'utf8')) as RunnerOutput;
      expect(all.runs.map((r) => r.students.length)).toEqual([4, 4]);
      expect(numbers(all.runs)).toEqual(numbers(unsharded.runs));
      // Which kernel path and commit each cell ran with, one of each here.
      const { provenance } = all as unknown as { provenance: SweepProvenance };
      expect(provenance.cells).toHaveLength(8);
      expect(provenance.kernels).toEqual(['relaxed+fused']);
      expect(provenance.commits).toHaveLength(1);
      expect(provenance.mixed).toEqual([]);
      expect(merged.stdout).toContain(`Every cell ran on relaxed+fused from commit ${provenance.commits[0]}.`);
      // A cell from another kernel path is flagged, with the count of each.
      const first = join(cells, '0.json');
      const cell = JSON.parse(readFileSync(first, 'utf8'));
      writeFileSync(first, JSON.stringify({ ...cell, backend: { ...cell.backend, kernels: 'relaxed' } }));
      const mixed = await lab('--merge', planned);
      expect(mixed.stdout).toContain(
        'warning: the cells ran on different kernel paths: relaxed (1 cells), relaxed+fused (7 cells).',
      );
      writeFileSync(first, JSON.stringify(cell));
    },
  );

  it(
    'merge refuses a result from another manifest and names the cells still missing',
    { timeout: 60_000 },
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'fdl-merge-'));
      const manifest = await plan(dir);
      const cells = join(dir, 'cells');
      const done = join(planned, '..', 'cells');
      rmSync(cells, { recursive: true, force: true });
      await run('mkdir', ['-p', cells]);
      for (const f of ['0.json', '1.json', '2.json', '3.json', '4.json', '5.json'])
        copyFileSync(join(done, f), join(cells, f));
      let err = await lab('--merge', manifest).catch((e: { stderr: string }) => e.stderr);
      expect(err).toContain('2 of 8 cells have no result yet: seed 1 · RKD λ=0 (cell 6); seed 1 · RKD λ=1 (cell 7)');
      const foreign = JSON.parse(readFileSync(join(done, '6.json'), 'utf8')) as CellResult;
      writeFileSync(join(cells, '6.json'), JSON.stringify({ ...foreign, manifest: '0123456789abcdef' }));
      err = await lab('--merge', manifest).catch((e: { stderr: string }) => e.stderr);
      expect(err).toContain('belongs to sweep 0123456789abcdef, not to this manifest');
    },
  );

  it(
    'a shard killed while training (the teacher, then a student) goes on where it stopped',
    { timeout: 300_000 },
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'fdl-kill-'));
      const manifest = await plan(dir);
      const args = ['--manifest', manifest, '--shard', '0/3', '--threads', '1', '--backend', 'wasm'];
      /** Starts shard 0, and kills it (SIGKILL) once `file` appears; resolves with its stderr. */
      const killWhen = (file: () => boolean) =>
        new Promise<string>((resolve) => {
          const child = spawn(...labCommand(args), { stdio: ['ignore', 'ignore', 'pipe'] });
          let log = '';
          child.stderr.on('data', (d: Buffer) => (log += d.toString()));
          const poll = setInterval(() => {
            if (file()) child.kill('SIGKILL');
          }, 20);
          child.on('exit', () => {
            clearInterval(poll);
            resolve(log);
          });
        });
      const teachers = join(dir, 'teachers');
      const teacherSnapshot = () => existsSync(teachers) && readdirSync(teachers).some((f) => f.endsWith('.snapshot'));
      await killWhen(teacherSnapshot); // after the teacher's first epoch
      expect(teacherSnapshot()).toBe(true);
      const studentCheckpoint = join(dir, 'cells', 'shard-0-of-3.ckpt');
      const second = await killWhen(() => existsSync(studentCheckpoint)); // after cell 0's first epoch
      expect(second).toContain('taking over the lock on teacher seed-0-');
      expect(second).toContain('left by this shard before a restart');
      expect(second).toMatch(/teacher seed-0-\w+: going on from its epoch 1 snapshot/);
      const third = await lab(...args);
      expect(third.stderr).toContain(
        'seed 0 · CKD λ=0 (cell 0): distilling from the shared teacher, going on from epoch 1',
      );
      expect(third.stdout).toContain('2 cells run');
      // Cells 0 and 1, as the uninterrupted shards computed them.
      for (const i of [0, 1]) {
        const resumed = JSON.parse(readFileSync(join(dir, 'cells', `${i}.json`), 'utf8')) as CellResult;
        const straight = JSON.parse(readFileSync(join(planned, '..', 'cells', `${i}.json`), 'utf8')) as CellResult;
        expect(numbers(resumed)).toEqual(numbers(straight));
      }
      expect(existsSync(studentCheckpoint)).toBe(false);
    },
  );
});
