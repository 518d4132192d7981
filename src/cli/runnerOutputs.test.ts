import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunnerOutput } from './merge';
import { labCommand } from './labUnderTest';

/**
 * The runner never trains towards a write that cannot work, and never loses finished results to a write
 * that fails: output paths are checked first, each finished seed reaches --out at once, and a failed last
 * write leaves the summary on screen and every result in a checkpoint the same command reads back.
 */

const ROOT = process.cwd();
const FAST = ['--preset', 'tiny', '--threads', '1', '--teacher-epochs', '2', '--student-epochs', '1', '--lambdas', '0'];
const lab = (args: string[]) => spawnSync(...labCommand(args), { cwd: ROOT, encoding: 'utf8' });

describe('the runner’s outputs', () => {
  it('refuses unwritable output paths before it trains, naming the flag and the remedy', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fd-out-'));
    const cases: [string[], RegExp][] = [
      [
        ['--out', '/no/such/dir/x.json'],
        /--out \/no\/such\/dir\/x\.json: the folder \/no\/such\/dir does not exist; create it first \(nothing was trained\)/,
      ],
      [['--checkpoint', '/no/such/dir/run.ckpt'], /--checkpoint .*does not exist/],
      [['--out', dir], /--out .* is a folder; give a file name/],
      [['--out', '/proc/x.json'], /--out \/proc\/x\.json: \/proc does not take new files/],
    ];
    for (const [args, message] of cases) {
      const started = Date.now();
      const r = lab([...FAST, ...args]);
      expect(r.status, args.join(' ')).toBe(1);
      expect(r.stderr, args.join(' ')).toMatch(message);
      expect(r.stderr).not.toMatch(/Teacher · epoch/); // nothing trained
      expect(Date.now() - started).toBeLessThan(5_000); // the runner's start-up (about 1 s), no training
    }
  });

  it('names what it would silently drop: repeated flags, repeated or malformed seeds', () => {
    expect(lab(['--lambdas', '0', '--lambdas', '1']).stderr).toContain(
      '--lambdas was given twice ("0" and "1"); give it once.',
    );
    expect(lab(['--seeds', '']).stderr).toContain('--seeds: "" must be a comma-separated list of whole numbers');
    expect(lab(['--seeds', '0,1e21']).stderr).toContain('(not "1e21")');
    expect(lab(['--seeds', '0,2147483648']).stderr).toContain('(not "2147483648")');
    const plan = join(mkdtempSync(join(tmpdir(), 'fd-seeds-')), 'manifest.json');
    const twice = lab(['--plan', plan, '--seeds', '0,0,1']);
    expect(twice.stderr).toContain('note: --seeds listed 0 more than once; each seed is trained once.');
    expect(JSON.parse(readFileSync(plan, 'utf8')).seeds).toEqual([0, 1]);
  });

  it('refuses a plan of 10^8 students from its lists, before building it', () => {
    const values = Array.from({ length: 1000 }, (_, i) => (1 + i * 0.01).toFixed(2)).join(',');
    const r = lab([
      '--methods',
      'dkd',
      '--sweep',
      `dkd.alpha=${values};dkd.beta=${values}`,
      '--lambdas',
      Array.from({ length: 100 }, (_, i) => i).join(','),
    ]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(
      'The plan holds 100,000,001 students (methods × swept values × λ); at most 1,000 fit one sweep.',
    );
    const seeds = lab([...FAST, '--seeds', Array.from({ length: 600 }, (_, i) => i).join(',')]);
    expect(seeds.stderr).toContain(
      'The plan holds 2 students a seed × 600 seeds = 1,200 (methods × swept values × λ × seeds)',
    );
  });

  it('writes each finished seed at once; a failed last write keeps every result in the checkpoint, which the same command turns into the file', async () => {
    const work = mkdtempSync(join(tmpdir(), 'fd-keep-'));
    const outDir = join(work, 'out');
    mkdirSync(outDir);
    const out = join(outDir, 'results.json');
    const ckpt = join(work, 'run.ckpt');
    // Seed 1 trains long enough (8 teacher epochs) for the folder to go while it does.
    const args = [
      ...FAST.map((a, i) => (FAST[i - 1] === '--teacher-epochs' ? '8' : a)),
      '--seeds',
      '0,1',
      '--out',
      out,
      '--checkpoint',
      ckpt,
    ];
    let log = '';
    const child = spawn(...labCommand(args), { cwd: ROOT });
    child.stdout.on('data', (d: Buffer) => (log += d.toString()));
    child.stderr.on('data', (d: Buffer) => (log += d.toString()));
    const exit = new Promise<number | null>((resolve) => child.on('exit', resolve));
    // Seed 0's results are in the file while seed 1 trains.
    for (let t = 0; t < 1200 && !existsSync(out); t++) await new Promise((r) => setTimeout(r, 100));
    const partial = JSON.parse(readFileSync(out, 'utf8')) as RunnerOutput;
    expect(partial.finishedSeeds).toEqual([0]);
    expect(partial.runs.map((r) => r.config.seed)).toEqual([0]);
    // The folder goes away before the last write: it fails after all the training.
    rmSync(outDir, { recursive: true });
    expect(await exit).toBe(1);
    expect(log).toContain('Mean over 2 seeds'); // the summary is on screen
    expect(log).toContain(`error: writing ${out} failed (ENOENT). Every result is kept in the checkpoint ${ckpt}`);
    expect(existsSync(ckpt)).toBe(true);
    // The same command with the folder back trains nothing and writes both seeds.
    mkdirSync(outDir);
    const again = lab(args);
    expect(again.status).toBe(0);
    expect(again.stderr).toContain('2 of 2 seeds done');
    expect(again.stderr).not.toMatch(/Teacher · epoch/);
    const full = JSON.parse(readFileSync(out, 'utf8')) as RunnerOutput;
    expect(full.finishedSeeds).toBeUndefined();
    expect(full.runs.map((r) => r.config.seed)).toEqual([0, 1]);
    expect(full.runs[0].teacher.testPredictions).toEqual(partial.runs[0].teacher.testPredictions);
    expect(existsSync(ckpt)).toBe(false);
  }, 300_000);
});
