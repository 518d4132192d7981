import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KernelShareRun } from './kernelProfile';
import type { BenchReport } from './report';

const here = dirname(fileURLToPath(import.meta.url));

/** bench/kernelShares.ts once per kernel choice and thread count, each in a process of its own. */
export function kernelShareRuns(report: BenchReport, steps: number, log: (s: string) => void): void {
  const choices: [KernelShareRun['simd'], number][] = [
    ['off', 1],
    ['simd', 1],
    // Each fused choice right after the build it adds to: the two side by side, as paired as one run allows.
    ['relaxed', 1],
    ['relaxed+fused', 1],
    ...(cpus().length > 1
      ? ([
          ['off', 2],
          ['relaxed', 2],
          ['relaxed+fused', 2],
        ] as [KernelShareRun['simd'], number][])
      : []),
  ];
  for (const [simd, threads] of choices) {
    try {
      const text = execFileSync(
        process.execPath,
        [
          ...process.execArgv,
          join(here, 'kernelShares.ts'),
          '--simd',
          simd,
          '--threads',
          String(threads),
          '--steps',
          String(steps),
          '--workloads',
          'reference,teacher-lab,distill-lab',
        ],
        { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 24 },
      );
      report.kernelShares.push(JSON.parse(text.trim().split('\n').pop()!) as KernelShareRun);
      log(`kernel shares ${simd} ×${threads} done`);
    } catch (e) {
      report.notes.push(
        `kernel shares (${simd}, ${threads} threads) were not measured: ${(e as Error).message.split('\n')[0]}`,
      );
    }
  }
}
