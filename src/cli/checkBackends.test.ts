import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { BackendCheckReport } from './checkBackends';

const SWIFTSHADER = '/usr/lib/chromium/vk_swiftshader_icd.json';

describe('headless runner on WebGPU (Dawn over SwiftShader Vulkan)', () => {
  it('the tiny preset on webgpu agrees with wasm within the stated tolerances', { timeout: 600_000 }, async () => {
    expect(existsSync(SWIFTSHADER), 'Debian chromium ships the SwiftShader Vulkan driver').toBe(true);
    const out = join(mkdtempSync(join(tmpdir(), 'fdl-check-')), 'check.json');
    // The adversary's pull is on in the second student epoch: λ = 1 covers distillation and debiasing.
    const args = ['tsx', 'src/cli/lab.ts', '--check-backends', '--backends', 'wasm,webgpu'];
    args.push('--preset', 'tiny', '--no-baseline', '--lambdas', '1', '--quiet', '--out', out);
    const run = await promisify(execFile)('npx', args, {
      env: { ...process.env, VK_ICD_FILENAMES: SWIFTSHADER },
      maxBuffer: 1 << 24,
    });
    expect(run.stdout).toContain('All checked backends agree within the tolerances.');
    const report = JSON.parse(readFileSync(out, 'utf8')) as BackendCheckReport;
    expect(report.ok).toBe(true);
    expect(report.backends.map((b) => [b.name, b.ran])).toEqual([
      ['wasm', true],
      ['webgpu', true],
    ]);
    expect(report.backends[1].detail).toMatch(/swiftshader/i);
    const rows = report.rows.webgpu;
    expect(rows).toHaveLength(6);
    for (const r of rows) expect(r.ok, `${r.quantity}: ${r.value} (${r.worst})`).toBe(true);
  });
});
