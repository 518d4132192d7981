import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { BackendCheckReport } from '../cli/checkBackends';
import { BUNDLE_LIMIT_BYTES, buildBundle } from './bundle';

/**
 * The self-contained runner (npm run bundle): at most 60 MiB, and its GPU kit's smoke run works from
 * the bundle alone, copied into an empty folder, with node, npm and npx off the PATH and a HOME it must
 * not write to — WebGPU on SwiftShader, PyTorch on the CPU standing in for CUDA where python3 has torch.
 * Its first part is the headless runner's backend check on WebGPU (Dawn over SwiftShader's Vulkan
 * driver) against wasm, asserted here row by row.
 */

const SWIFTSHADER = '/usr/lib/chromium/vk_swiftshader_icd.json';

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
      // Nothing written to HOME; temporary files went into the kit's own folder.
      expect(readdirSync(home)).toEqual([]);
      expect(existsSync(join(work, 'kit', 'runtime', 'node'))).toBe(true);
    },
  );
});
