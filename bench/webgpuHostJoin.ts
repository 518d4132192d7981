import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { WebgpuHostRow } from './webgpuHost';
import type { WebgpuWorkRow } from './webgpuWork';

const here = dirname(fileURLToPath(import.meta.url));

/**
 * The host's cost of each row's step, on Dawn's null adapter (bench/webgpuHost.ts, in a process of its
 * own: the null adapter and SwiftShader cannot both be Node's navigator.gpu), joined to the counted rows
 * by model and kernels.
 */
export function joinHostCosts(rows: WebgpuWorkRow[], log: (s: string) => void): void {
  const out = join(mkdtempSync(join(tmpdir(), 'fdl-host-')), 'host.json');
  try {
    execFileSync(process.execPath, [...process.execArgv, join(here, 'webgpuHost.ts'), '--out', out], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  } catch (e) {
    log(`webgpu host cost not measured: ${(e as Error).message.split('\n')[0]}`);
    return;
  }
  const host = (JSON.parse(readFileSync(out, 'utf8')) as { rows: WebgpuHostRow[] }).rows;
  for (const r of rows) {
    const h = host.find((x) => x.model === r.model && x.kernels === r.kernels);
    if (h)
      Object.assign(r, {
        hostMsPerStep: h.hostMsPerStep,
        hostUsPerDispatch: h.hostUsPerDispatch,
        hostRatioToTfjs: h.ratioToTfjs,
        hostBatch: h.batch,
      });
  }
}
