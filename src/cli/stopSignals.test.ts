import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * A stop signal stops the runner through the wrappers it is started with (`npm run lab`, which the
 * deploy files use, and node itself): the whole process tree is gone within seconds, the exit status
 * says which signal, and the same command started again goes on from the epoch it had reached.
 */

const ROOT = process.cwd();
// Enough teacher epochs that the runner's 2-second progress lines land in the middle of its training
// whatever the machine's speed (the tiny teacher trains an epoch in about a second with the fused ops).
const EPOCHS = 30;
const ARGS = ['--preset', 'tiny', '--threads', '1', '--teacher-epochs', String(EPOCHS), '--student-epochs', '1'];
/** The teacher's epoch in a progress line, when it is past the second and short of the last. */
const MIDDLE = new RegExp(`Teacher · epoch (\\d+)/${EPOCHS}`);
const inMiddle = (log: string) =>
  [...log.matchAll(new RegExp(MIDDLE.source, 'g'))].some((m) => Number(m[1]) >= 3 && Number(m[1]) <= EPOCHS - 3);

interface Started {
  child: ChildProcess;
  log: () => string;
  exit: Promise<number | null>;
}

/** Started in a process group of its own, so the test can see every process of the tree. */
function start(command: string, args: string[]): Started {
  let log = '';
  const child = spawn(command, args, { cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, log: () => log, exit };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(test: () => boolean, seconds: number, what: string, log?: () => string): Promise<void> {
  for (let t = 0; t < seconds * 10; t++) {
    if (test()) return;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}${log ? `; the runner wrote:\n${log().slice(-2000)}` : ''}`);
}

/** Whether any process of the group is still alive. */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

async function stopAfterEpoch(
  command: string,
  args: string[],
  signal: 'SIGTERM' | 'SIGINT',
): Promise<{ seconds: number; code: number | null; log: string }> {
  const run = start(command, args);
  try {
    await waitFor(() => inMiddle(run.log()), 240, 'the teacher’s third epoch', run.log);
    const sent = Date.now();
    run.child.kill(signal); // to the wrapper only, as a job runner signals the process it started
    await waitFor(() => !groupAlive(run.child.pid!), 10, 'the process tree to exit');
    return { seconds: (Date.now() - sent) / 1000, code: await run.exit, log: run.log() };
  } finally {
    if (groupAlive(run.child.pid!)) process.kill(-run.child.pid!, 'SIGKILL');
  }
}

describe('a stop signal stops the runner', () => {
  it('SIGTERM to `npm run lab` ends the whole tree in seconds with status 143; the same command resumes', async () => {
    const ckpt = join(mkdtempSync(join(tmpdir(), 'fairdistill-stop-')), 'run.ckpt');
    const args = ['run', '--silent', 'lab', '--', ...ARGS, '--checkpoint', ckpt];
    const stopped = await stopAfterEpoch('npm', args, 'SIGTERM');
    console.log(`SIGTERM → tree gone in ${stopped.seconds.toFixed(2)} s, status ${stopped.code}`);
    expect(stopped.seconds).toBeLessThan(10);
    expect(stopped.code).toBe(143);
    expect(stopped.log).toContain(`stopped by SIGTERM; ${ckpt} holds the last finished epoch`);
    const reached = Number(MIDDLE.exec(stopped.log.split('SIGTERM:')[0].split('\n').at(-2) ?? '')?.[1]);
    expect(readFileSync(ckpt).length).toBeGreaterThan(0);

    const again = start('npm', args);
    const code = await again.exit;
    const resumed = new RegExp(`resuming from .*: 0 of 1 seeds done, Teacher at epoch (\\d+) of ${EPOCHS}`).exec(
      again.log(),
    );
    console.log(`restart: ${resumed?.[0]}`);
    expect(code).toBe(0);
    expect(resumed).not.toBeNull();
    // It goes on from the last epoch that finished before the signal: the one in flight, or the one before.
    expect(Number(resumed![1])).toBeGreaterThanOrEqual(2);
    if (Number.isFinite(reached)) expect(Number(resumed![1])).toBeGreaterThanOrEqual(reached - 1);
    expect(again.log()).toMatch(/CKD λ=0: accuracy/);
  }, 400_000);

  it('SIGINT to node itself (a container’s PID 1 runs node directly) exits with 130', async () => {
    const stopped = await stopAfterEpoch('node', ['--import', 'tsx', 'src/cli/lab.ts', ...ARGS], 'SIGINT');
    console.log(`SIGINT → gone in ${stopped.seconds.toFixed(2)} s, status ${stopped.code}`);
    expect(stopped.seconds).toBeLessThan(10);
    expect(stopped.code).toBe(130);
    expect(stopped.log).toContain('stopped by SIGINT (without --checkpoint nothing is kept)');
  }, 300_000);
});
