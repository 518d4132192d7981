import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeFolder, makeWiderCopy } from './imageFolderKit';
import type { RunnerOutput } from './merge';
import { lab, numbers } from './sweepTestKit';
import type { SweepManifest } from './sweepManifest';
import { labCommand } from './labUnderTest';

/**
 * A sweep over a folder of photos: planned with --data (the manifest names the folder and the key of what
 * its preparation reads), run as two shards side by side that prepare the data once for the machine, and
 * merged to the figures of one process; a shard given other photos is refused before it decodes one.
 */

const SETTINGS = ['--preset', 'tiny', '--image-size', '16', '--methods', 'kd', '--lambdas', '0,1', '--seeds', '0,1'];
const EPOCHS = ['--teacher-epochs', '1', '--student-epochs', '1'];

/** Runs the runner; its stderr and exit status (a shard's log says whether it prepared the data). */
function labProcess(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(...labCommand(args));
    let stderr = '';
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('exit', (code) => resolve({ code, stderr }));
  });
}

describe('a sweep over a folder of photos', () => {
  it('two shards prepare once per machine and merge to one process’s figures', { timeout: 300_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fdl-data-sweep-'));
    const photos = makeFolder();
    const data = ['--data', `folder:${photos}`];
    const one = join(dir, 'one.json');
    await lab(
      ...SETTINGS,
      ...EPOCHS,
      ...data,
      '--data-cache',
      join(dir, 'c1'),
      '--threads',
      '1',
      '--quiet',
      '--out',
      one,
    );
    const unsharded = JSON.parse(readFileSync(one, 'utf8')) as RunnerOutput;

    const manifest = join(dir, 'sweep', 'manifest.json');
    const planned = await lab('--plan', manifest, ...SETTINGS, ...EPOCHS, ...data, '--shards', '2');
    expect(planned.stdout).toContain('6 cells');
    const m = JSON.parse(readFileSync(manifest, 'utf8')) as SweepManifest;
    expect(m.data).toEqual({ source: 'csv', dir: photos });
    expect(m.datasetKey).toMatch(/^prepared:[0-9a-f]{16}$/);

    const cache = join(dir, 'c2');
    const shard = (i: number) =>
      labProcess(['--manifest', manifest, '--shard', `${i}/2`, '--data-cache', cache, '--threads', '1']);
    const logs = await Promise.all([shard(0), shard(1)]);
    for (const l of logs) expect(l.code, l.stderr.slice(-1500)).toBe(0);
    // One preparation for the machine: one shard decoded the photos, the other found them prepared
    // (waiting on its lock if it came while they were being prepared).
    expect(readdirSync(cache)).toHaveLength(1);
    const found = logs.filter((l) => /prepared data: .*\d+ prepared before\)/.test(l.stderr));
    expect(found).toHaveLength(1);

    const out = join(dir, 'all.json');
    await lab('--merge', manifest, '--data-cache', cache, '--out', out);
    const merged = JSON.parse(readFileSync(out, 'utf8')) as RunnerOutput;
    expect(merged.runs[0].config.dataset).toMatchObject({ kind: 'imported', count: 64, size: 16 });
    expect(numbers(merged.runs)).toEqual(numbers(unsharded.runs));

    // The same photos in another place are the sweep's data (its cells are found done); photos whose
    // labels differ, or another kind of source, are refused before a photo is decoded.
    const copy = makeFolder();
    const again = await labProcess([
      '--manifest',
      manifest,
      '--shard',
      '0/2',
      '--data',
      `folder:${copy}`,
      '--data-cache',
      cache,
    ]);
    expect(again.code, again.stderr.slice(-800)).toBe(0);
    const relabelled = makeFolder();
    const csv = join(relabelled, 'labels.csv');
    writeFileSync(csv, readFileSync(csv, 'utf8').replace('img/0.png,Parade', 'img/0.png,Spa'));
    const other = await labProcess([
      '--manifest',
      manifest,
      '--shard',
      '0/2',
      '--data',
      `folder:${relabelled}`,
      '--data-cache',
      cache,
    ]);
    expect(other.stderr).toContain('is not the data the sweep was planned on (its files, labels or options differ');
    expect(readdirSync(cache)).toHaveLength(1);
    const wider = await labProcess(['--manifest', manifest, '--shard', '0/2', '--data', `wider:${makeWiderCopy()}`]);
    expect(wider.stderr).toContain('--data: the sweep was planned on a labels-CSV folder (folder:DIR)');
  });
});
