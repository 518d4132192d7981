import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import type { RunnerOutput } from './merge';
import { labCommand } from './labUnderTest';

/**
 * What the cluster tests share (Slurm, ssh): one tiny sweep — 2 methods × 2 λ × 2 seeds, three student
 * epochs so a stop lands between epochs — the runner as a child process, the figures without what a
 * clock decides, and a poll with a deadline.
 */
export const SETTINGS = [
  '--preset',
  'tiny',
  '--methods',
  'kd,rkd',
  '--lambdas',
  '0,1',
  '--seeds',
  '0,1',
  '--no-baseline',
];
export const EPOCHS = ['--teacher-epochs', '2', '--student-epochs', '3'];

const run = promisify(execFile);
export const lab = (...args: string[]) => run(...labCommand(args), { maxBuffer: 1 << 26 });

const TIMING = new Set(['trainSeconds', 'latencyMs', 'latencySpreadMs', 'startedAt', 'seconds', 'backend']);
export const numbers = (value: unknown) =>
  JSON.parse(JSON.stringify(value, (k, v: unknown) => (TIMING.has(k) ? undefined : v))) as unknown;

/**
 * The same sweep in one process: what the merged shards must equal. Run once per test run for every
 * file that asks (the shards', Slurm's and ssh's tests, each in its own fork): the first to ask takes
 * the lock and runs it into the run's shared folder (FAIRDISTILL_TEST_SHARED, src/build/testRunSetup.ts);
 * the others wait for its file. Without that folder (a file run on its own), a run of its own.
 */
export async function unshardedRun(): Promise<RunnerOutput> {
  const dir = process.env.FAIRDISTILL_TEST_SHARED ?? mkdtempSync(join(tmpdir(), 'fdl-unsharded-'));
  const out = join(dir, 'unsharded-sweep.json');
  let mine = true;
  try {
    writeFileSync(`${out}.lock`, String(process.pid), { flag: 'wx' });
  } catch {
    mine = false;
  }
  if (mine) {
    const part = join(dir, 'unsharded-sweep.part.json');
    await lab(...SETTINGS, ...EPOCHS, '--threads', '1', '--backend', 'wasm', '--quiet', '--out', part);
    renameSync(part, out);
  } else await until(() => existsSync(out), 300, 'the unsharded sweep another test file runs');
  return JSON.parse(readFileSync(out, 'utf8')) as RunnerOutput;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function until<T>(f: () => T | undefined | false, seconds: number, what: string): Promise<T> {
  const end = Date.now() + seconds * 1000;
  for (;;) {
    const v = f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${seconds} s waiting for ${what}`);
    await sleep(200);
  }
}

/** Merges a finished sweep (beside its manifest) into `out`; its runs and how many cells had a result. */
export async function mergeSweep(manifest: string, out: string): Promise<{ runs: unknown; cells: number }> {
  await lab('--merge', manifest, '--out', out);
  const all = JSON.parse(readFileSync(out, 'utf8')) as RunnerOutput;
  const cells = readdirSync(join(dirname(manifest), 'cells')).filter((f) => f.endsWith('.json')).length;
  return { runs: numbers(all.runs), cells };
}
