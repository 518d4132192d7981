import { execFile } from 'node:child_process';
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { BackendCheckReport } from '../cli/checkBackends';
import { makeFolder } from '../cli/imageFolderKit';
import type { RunnerOutput } from '../cli/merge';
import { BUNDLE_LIMIT_BYTES, buildBundle } from './bundle';

/**
 * The self-contained runner (npm run bundle): at most 60 MiB, and its GPU kit's smoke run works from
 * the bundle alone, copied into an empty folder, with node, npm and npx off the PATH and a HOME it must
 * not write to — WebGPU on SwiftShader, PyTorch on the CPU standing in for CUDA where python3 has torch.
 * Its first part is the headless runner's backend check on WebGPU (Dawn over SwiftShader's Vulkan
 * driver) against wasm, asserted here row by row. Then the bundle reads real photos (--data, one of them
 * WebP where Pillow can write it) through its own decoders and chunk cache.
 */

const SWIFTSHADER = '/usr/lib/chromium/vk_swiftshader_icd.json';

/** The labels-CSV folder of the runner's tests, its first photo turned into a lossless WebP by Pillow. */
function photoFolder(): { dir: string; webp: boolean } {
  const dir = makeFolder();
  const made = spawnSync(
    '/usr/bin/python3',
    [
      '-c',
      'import sys; from PIL import Image; Image.open(sys.argv[1]).save(sys.argv[2], lossless=True)',
      join(dir, 'img/0.png'),
      join(dir, 'img/0.webp'),
    ],
    { encoding: 'utf8' },
  );
  if (made.status !== 0) return { dir, webp: false };
  rmSync(join(dir, 'img/0.png'));
  const labels = join(dir, 'labels.csv');
  writeFileSync(labels, readFileSync(labels, 'utf8').replace('img/0.png,', 'img/0.webp,'));
  return { dir, webp: true };
}

/** A PATH with every program of /usr/bin and /bin but Node's. */
function pathWithoutNode(dir: string): string {
  mkdirSync(dir);
  for (const from of ['/usr/sbin', '/usr/bin', '/sbin', '/bin'])
    for (const name of existsSync(from) ? readdirSync(from) : [])
      if (!['node', 'nodejs', 'npm', 'npx', 'corepack'].includes(name) && !existsSync(join(dir, name)))
        symlinkSync(join(from, name), join(dir, name));
  return dir;
}

describe('the self-contained runner and its GPU kit', () => {
  it(
    'fits in 60 MiB and runs measure.sh --smoke from an empty folder without Node.js installed',
    { timeout: 2_400_000 },
    async () => {
      expect(existsSync(SWIFTSHADER), 'Debian chromium ships the SwiftShader Vulkan driver').toBe(true);
      const root = mkdtempSync(join(tmpdir(), 'fdl-kit-'));
      const { bytes } = await buildBundle(join(root, 'built'));
      expect(bytes).toBeLessThanOrEqual(BUNDLE_LIMIT_BYTES);
      // Into an empty folder: nothing of the repository is reachable from there.
      const work = join(root, 'empty');
      cpSync(join(root, 'built'), join(work, 'kit'), { recursive: true });
      const home = join(root, 'home');
      mkdirSync(home);
      const env = {
        PATH: pathWithoutNode(join(root, 'bin')),
        HOME: home,
        VK_ICD_FILENAMES: SWIFTSHADER,
        PYTHON: '/usr/bin/python3',
        LANG: 'C.UTF-8',
        // The test asserts what the smoke run does, not how fast: beside other tests its limits are lifted.
        LIMIT_1: '900',
        GPU_LIMIT: '900',
        BUDGET: '3000',
      };
      const t0 = Date.now();
      const run = await promisify(execFile)('./kit/measure.sh', ['--smoke', 'out'], {
        cwd: work,
        env,
        maxBuffer: 1 << 24,
      });
      const seconds = (Date.now() - t0) / 1000;
      console.log(`bundle ${(bytes / 2 ** 20).toFixed(1)} MiB; smoke run ${seconds.toFixed(0)} s\n${run.stdout}`);
      const out = join(work, 'out');
      const log = readFileSync(join(out, 'log.txt'), 'utf8');
      for (const part of ['1-check.txt', '2-webgpu-tfjs.jsonl', '2-webgpu-own.jsonl', '2-wasm.jsonl', '3-tiny.txt'])
        expect(log, part).toMatch(new RegExp(`${part.replace('.', '\\.')}: exit 0 `));
      // The backend check (the runner's own --check-backends, on half the tiny dataset): WebGPU over
      // SwiftShader with the lab's gradient kernels agrees with wasm on every quantity.
      expect(readFileSync(join(out, '1-check.txt'), 'utf8')).toContain(
        'All checked backends agree within the tolerances.',
      );
      const check = JSON.parse(readFileSync(join(out, '1-check.json'), 'utf8')) as BackendCheckReport;
      expect(check.ok).toBe(true);
      expect(check.backends.map((b) => [b.name, b.ran])).toEqual([
        ['wasm', true],
        ['webgpu', true],
      ]);
      expect(check.backends[1].detail).toMatch(/swiftshader.*own WebGPU gradient kernels/i);
      expect(check.rows.webgpu).toHaveLength(6);
      for (const r of check.rows.webgpu) expect(r.ok, `${r.quantity}: ${r.value} (${r.worst})`).toBe(true);
      const rates = JSON.parse(readFileSync(join(out, '2-rates.json'), 'utf8')) as {
        rows: { source: string; workload: string; imagesPerSecond: number }[];
        paramsEqual: Record<string, boolean>;
      };
      for (const source of ['webgpu-tfjs', 'webgpu-own', 'wasm'])
        expect(rates.rows.filter((r) => r.source === source && r.imagesPerSecond > 0).length, source).toBeGreaterThan(
          0,
        );
      const torch = log.includes('PyTorch rows skipped') ? [] : rates.rows.filter((r) => r.source.startsWith('torch'));
      if (!log.includes('PyTorch rows skipped')) {
        expect(torch.length).toBeGreaterThan(0);
        // The PyTorch models are the lab's: the same trainable parameters as the tfjs ones.
        expect(Object.values(rates.paramsEqual).every(Boolean), JSON.stringify(rates.paramsEqual)).toBe(true);
      }
      const tiny = JSON.parse(readFileSync(join(out, '3-tiny.json'), 'utf8')) as {
        runs: { backend: { name: string } }[];
      };
      expect(JSON.stringify(tiny)).toContain('"name":"webgpu"');
      // Real photos from the bundle alone: decoded (PNG, and WebP by the wasm decoder the bundle carries),
      // prepared into the chunk cache and trained on; a photo it could not decode would be skipped (63).
      const photos = photoFolder();
      const data = await promisify(execFile)(
        './kit/lab',
        [
          '--preset',
          'tiny',
          '--data',
          `folder:${photos.dir}`,
          '--data-cache',
          join(work, 'cache'),
          '--image-size',
          '16',
          '--teacher-epochs',
          '1',
          '--student-epochs',
          '1',
          '--lambdas',
          '0',
          '--threads',
          '1',
          '--backend',
          'wasm',
          '--out',
          join(work, 'data.json'),
        ],
        { cwd: work, env, maxBuffer: 1 << 24 },
      );
      console.log(`--data from the bundle${photos.webp ? ' (one WebP photo)' : ' (no Pillow: PNG only)'}`);
      expect(data.stderr).toContain('dataset: my-photos (labels.csv), 64 images');
      const dataRun = JSON.parse(readFileSync(join(work, 'data.json'), 'utf8')) as RunnerOutput;
      expect(dataRun.config.dataset).toMatchObject({ kind: 'imported', source: 'csv', count: 64, size: 16 });
      expect(readdirSync(join(work, 'cache')).length).toBeGreaterThan(0);
      // Nothing written to HOME; temporary files went into the kit's own folder.
      expect(readdirSync(home)).toEqual([]);
      expect(existsSync(join(work, 'kit', 'runtime', 'node'))).toBe(true);
    },
  );
});
