import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunnerOutput } from './merge';
import { EPOCHS, lab, mergeSweep, numbers, SETTINGS, unshardedRun, until } from './sweepTestKit';

/**
 * deploy/slurm-array.sh on a real Slurm cluster: one node (this machine) with slurmctld, slurmd and
 * munged started in a scratch folder and torn down after. A tiny sweep is planned into 3 shards and
 * submitted as an array by the script itself (CPU-only, one CPU per task); one running task is
 * requeued (`scontrol requeue`) after its first finished epoch — it must stop within seconds of the
 * SIGTERM and its requeued copy go on from that epoch — and the merged figures must be exactly those
 * of one process running the same sweep. Skipped, with the reason, where Slurm is not installed.
 */
const has = (bin: string) => ['/usr/sbin', '/usr/bin'].some((d) => existsSync(join(d, bin)));
const root = process.getuid?.() === 0;
const available = has('slurmctld') && has('slurmd') && has('munged') && root;
const why = !root
  ? 'the Slurm cluster test starts slurmctld and slurmd as root; it was skipped (not root)'
  : 'Slurm is not installed (apt-get install slurm-wlm munge); the Slurm cluster test was skipped';
if (!available) console.warn(why);

let dir = '';
let env: NodeJS.ProcessEnv = {};
const slurm = (bin: string, ...args: string[]) => execFileSync(bin, args, { env, encoding: 'utf8' });

/** A one-node cluster in `dir`: its own munge key and socket, ports and state, nothing in /etc. */
function startCluster(): void {
  dir = mkdtempSync(join(tmpdir(), 'fdl-slurm-'));
  for (const d of ['state', 'spool', 'log', 'munge']) mkdirSync(join(dir, d), { mode: 0o700 });
  const key = join(dir, 'munge', 'munge.key');
  writeFileSync(key, Buffer.from(Array.from({ length: 1024 }, () => Math.floor(Math.random() * 256))), {
    mode: 0o400,
  });
  const sock = join(dir, 'munge', 'sock');
  execFileSync('munged', [
    '--force',
    `--key-file=${key}`,
    `--socket=${sock}`,
    `--pid-file=${join(dir, 'munge', 'pid')}`,
    `--log-file=${join(dir, 'log', 'munge.log')}`,
    `--seed-file=${join(dir, 'munge', 'seed')}`,
  ]);
  const host = hostname().split('.')[0];
  const port = 20000 + Math.floor(Math.random() * 20000);
  const mem = Math.floor(Number(/MemTotal:\s+(\d+)/.exec(readFileSync('/proc/meminfo', 'utf8'))![1]) / 1024) - 2048;
  const conf = join(dir, 'slurm.conf');
  writeFileSync(
    conf,
    [
      'ClusterName=fdltest',
      `SlurmctldHost=${host}(127.0.0.1)`,
      'SlurmUser=root',
      'SlurmdUser=root',
      'AuthType=auth/munge',
      `AuthInfo=socket=${sock}`,
      'CredType=cred/munge',
      `SlurmctldPort=${port}`,
      `SlurmdPort=${port + 1}`,
      `StateSaveLocation=${join(dir, 'state')}`,
      `SlurmdSpoolDir=${join(dir, 'spool')}`,
      `SlurmctldPidFile=${join(dir, 'slurmctld.pid')}`,
      `SlurmdPidFile=${join(dir, 'slurmd.pid')}`,
      `SlurmctldLogFile=${join(dir, 'log', 'slurmctld.log')}`,
      `SlurmdLogFile=${join(dir, 'log', 'slurmd.log')}`,
      'ProctrackType=proctrack/linuxproc',
      'TaskPlugin=task/none',
      'SelectType=select/cons_tres',
      'SelectTypeParameters=CR_CPU_Memory',
      'MpiDefault=none',
      'ReturnToService=2',
      'JobCompType=jobcomp/none',
      'AccountingStorageType=accounting_storage/none',
      'KillWait=30',
      `NodeName=${host} NodeAddr=127.0.0.1 CPUs=2 RealMemory=${mem} State=UNKNOWN`,
      'PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP',
      '',
    ].join('\n'),
  );
  env = { ...process.env, SLURM_CONF: conf };
  slurm('slurmctld', '-f', conf);
  slurm('slurmd', '-f', conf);
}

async function stopCluster(): Promise<void> {
  if (!dir) return;
  try {
    slurm('scancel', '--user', 'root');
  } catch {
    // nothing queued
  }
  const pids: number[] = [];
  for (const file of ['slurmd.pid', 'slurmctld.pid', join('munge', 'pid')]) {
    try {
      const pid = Number(readFileSync(join(dir, file), 'utf8'));
      process.kill(pid, 'SIGTERM');
      pids.push(pid);
    } catch {
      // already gone
    }
  }
  // The daemons write their state as they stop: the folder goes once they are gone.
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  await until(() => !pids.some(alive), 30, 'the Slurm daemons to stop').catch(() => undefined);
  rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
}

let unsharded: RunnerOutput;

describe.skipIf(!available)('the Slurm array script on a one-node Slurm cluster', () => {
  beforeAll(async () => {
    startCluster();
    unsharded = await unshardedRun();
    await until(() => /idle/.test(slurm('sinfo', '-h', '-o', '%T')), 60, 'the node to be idle');
  }, 300_000);
  afterAll(stopCluster, 60_000);

  it('a requeued task stops within seconds, its copy resumes from its epoch, and the merge equals one process', async () => {
    const started = Date.now();
    const sweep = join(dir, 'sweep');
    const manifest = join(sweep, 'manifest.json');
    const planned = await lab('--plan', manifest, ...SETTINGS, ...EPOCHS, '--shards', '3');
    console.log(
      planned.stdout
        .split('\n')
        .filter((l) => /shard \d\/3:/.test(l))
        .join('\n'),
    );
    const submitted = execFileSync('deploy/slurm-array.sh', [], {
      env: { ...env, SWEEP: sweep, SHARDS: '3', CPUS: '1', MEM: '1500M', LOGS: dir, FAIRDISTILL_HOME: process.cwd() },
      encoding: 'utf8',
    });
    const job = /Submitted batch job (\d+)/.exec(submitted)![1];
    const logOf = (task: number) => {
      const f = join(dir, `fairdistill-sweep-${job}_${task}.log`);
      return existsSync(f) ? readFileSync(f, 'utf8') : '';
    };
    // Task 1 has finished its first student epoch once its shard checkpoint exists.
    await until(() => existsSync(join(sweep, 'cells', 'shard-1-of-3.ckpt')), 240, "task 1's first finished epoch");
    const requeued = Date.now();
    slurm('scontrol', 'requeue', `${job}_1`);
    const stoppedAfter = await until(
      () => /Exited with exit code 143/.test(logOf(1)) && (Date.now() - requeued) / 1000,
      30,
      'the requeued task to exit with 143',
    );
    // Slurm holds a requeued job for two minutes; let it start again now.
    slurm('scontrol', 'update', `JobId=${job}_1`, 'StartTime=now');
    await until(() => !slurm('squeue', '-h', '-j', job).trim(), 400, 'the array to finish');
    const log1 = logOf(1);
    const lines = log1.split('\n').filter((l) => /SIGTERM|stopped by|going on from|cells run/.test(l));
    console.log(`requeued task 1 — stopped ${stoppedAfter.toFixed(1)} s after the requeue:\n${lines.join('\n')}`);
    expect(stoppedAfter).toBeLessThan(10);
    expect(log1).toContain('stopped by SIGTERM; a restart goes on from its last finished epoch');
    expect(log1).toMatch(/\(cell \d\): distilling from the shared teacher, going on from epoch [1-3]/);
    for (const t of [0, 1, 2]) expect(logOf(t)).toMatch(/shard \d\/3 of sweep \w+: \d cells run/);
    const merged = await mergeSweep(manifest, join(dir, 'all.json'));
    expect(merged.cells).toBe(8);
    expect(merged.runs).toEqual(numbers(unsharded.runs));
    console.log(
      `Slurm: 3 shards, one requeued, merged equal to one process; wall ${((Date.now() - started) / 1000).toFixed(0)} s`,
    );
  }, 600_000);
});
