import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunnerOutput } from './merge';
import { EPOCHS, lab, mergeSweep, numbers, SETTINGS, unshardedRun, until } from './sweepTestKit';

/**
 * deploy/parallel-ssh.sh over real ssh: an sshd on 127.0.0.1 with throw-away host and user keys in a
 * scratch folder, two "hosts" (both this machine, one slot each) in the hosts file. A running shard is
 * killed (SIGKILL, as a lost machine would end it); GNU parallel retries it, the retry goes on from
 * its last finished epoch, and the merged figures equal one process running the same sweep. Skipped,
 * with the reason, where sshd or GNU parallel is missing.
 */
const SSHD = '/usr/sbin/sshd';
const available = existsSync(SSHD) && existsSync('/usr/bin/ssh-keygen') && existsSync('/usr/bin/parallel');
if (!available)
  console.warn(
    'sshd, ssh-keygen or GNU parallel is missing (apt-get install openssh-server parallel); the ssh cluster test was skipped',
  );

let dir = '';
let sshConfig = '';

function startSshd(): void {
  dir = mkdtempSync(join(tmpdir(), 'fdl-ssh-'));
  const key = (name: string) => {
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, name)]);
    return join(dir, name);
  };
  const host = key('host_key');
  const user = key('user_key');
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(`${user}.pub`), { mode: 0o600 });
  const port = 20000 + Math.floor(Math.random() * 20000);
  mkdirSync('/run/sshd', { recursive: true }); // sshd's privilege separation directory
  writeFileSync(
    join(dir, 'sshd_config'),
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${host}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PermitRootLogin prohibit-password',
      'StrictModes no',
      'UsePAM no',
      '',
    ].join('\n'),
  );
  execFileSync(SSHD, ['-f', join(dir, 'sshd_config'), '-E', join(dir, 'sshd.log')]);
  sshConfig = join(dir, 'ssh_config');
  writeFileSync(
    sshConfig,
    ['hostA', 'hostB']
      .map((h) =>
        [
          `Host ${h}`,
          '  HostName 127.0.0.1',
          `  Port ${port}`,
          `  User ${process.env.USER ?? 'root'}`,
          `  IdentityFile ${user}`,
          '  IdentitiesOnly yes',
          '  StrictHostKeyChecking no',
          '  UserKnownHostsFile /dev/null',
          '  LogLevel ERROR',
        ].join('\n'),
      )
      .join('\n'),
  );
}

function stopSshd(): void {
  if (!dir) return;
  try {
    process.kill(Number(readFileSync(join(dir, 'sshd.pid'), 'utf8')), 'SIGTERM');
  } catch {
    // not started
  }
  rmSync(dir, { recursive: true, force: true });
}

let unsharded: RunnerOutput;

describe.skipIf(!available)('the ssh script with GNU parallel over a real sshd', () => {
  beforeAll(async () => {
    startSshd();
    unsharded = await unshardedRun();
    await until(
      () => {
        try {
          return execFileSync('ssh', ['-F', sshConfig, 'hostA', 'echo up'], { encoding: 'utf8' }).trim() === 'up';
        } catch {
          return false;
        }
      },
      30,
      'sshd to answer',
    );
  }, 300_000);
  afterAll(stopSshd);

  it('two hosts, one shard killed and retried by parallel; the merge equals one process', async () => {
    const started = Date.now();
    const sweep = join(dir, 'sweep');
    const manifest = join(sweep, 'manifest.json');
    await lab('--plan', manifest, ...SETTINGS, ...EPOCHS, '--shards', '3');
    const hosts = join(dir, 'hosts.txt');
    writeFileSync(hosts, `1/ssh -F ${sshConfig} hostA\n1/ssh -F ${sshConfig} hostB\n`);
    let log = '';
    const job = spawn('deploy/parallel-ssh.sh', [hosts, sweep, '3'], {
      env: { ...process.env, FAIRDISTILL_HOME: process.cwd(), LAB_ARGS: '--threads 1 --backend wasm' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    job.stdout.on('data', (d: Buffer) => (log += d.toString()));
    job.stderr.on('data', (d: Buffer) => (log += d.toString()));
    const exit = new Promise<number | null>((r) => job.on('exit', r));
    // Shard 1 has finished a student epoch once its checkpoint exists: its machine "dies" now.
    await until(() => existsSync(join(sweep, 'cells', 'shard-1-of-3.ckpt')), 240, "shard 1's first finished epoch");
    execFileSync('pkill', ['-KILL', '-f', `src/cli/lab.ts --manifest ${manifest} --shard 1/3`]);
    const code = await exit;
    const lines = log.split('\n').filter((l) => /going on from|cells run|stopped|taking over/.test(l));
    console.log(`parallel over ssh (2 hosts, shard 1 killed):\n${lines.join('\n')}`);
    expect(code).toBe(0);
    expect(log).toMatch(/^1\s.*\(cell \d\): distilling from the shared teacher, going on from epoch [1-3]/m);
    expect(log.match(/shard \d\/3 of sweep \w+: \d cells run/g)).toHaveLength(3);
    const merged = await mergeSweep(manifest, join(dir, 'all.json'));
    expect(merged.cells).toBe(8);
    expect(merged.runs).toEqual(numbers(unsharded.runs));
    console.log(
      `ssh: 3 shards on 2 hosts, one killed and retried; wall ${((Date.now() - started) / 1000).toFixed(0)} s`,
    );
  }, 600_000);
});
