/**
 * The GPU kit's step-rate table (deploy/bundle/measure.sh, part 2): every source's rows, each as a
 * ratio to PyTorch on CUDA in fp32 (TF32 off) and with PyTorch's defaults, and the tfjs and PyTorch
 * models' parameter counts side by side (they must be equal for the ratio to mean anything).
 *   node bench/gpuKitSummary.ts OUTDIR     reads OUTDIR/2-<source>.jsonl, writes OUTDIR/2-rates.json
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

interface Rate {
  source: string;
  workload: string;
  imagesPerSecond: number;
  msPerStep: number;
  params: number | null;
  device?: string;
  backend?: string;
}

interface KitRow extends Rate {
  toCudaFp32: number | null;
  toCudaDefault: number | null;
}

function summariseRates(rates: Rate[]): { rows: KitRow[]; paramsEqual: Record<string, boolean>; table: string } {
  const cuda = (precision: string, workload: string) =>
    rates.find((r) => r.source === `torch-cuda-${precision}` && r.workload === workload)?.imagesPerSecond ?? null;
  const rows = rates.map((r) => {
    const fp32 = cuda('fp32', r.workload),
      def = cuda('default', r.workload);
    return {
      ...r,
      toCudaFp32: fp32 ? r.imagesPerSecond / fp32 : null,
      toCudaDefault: def ? r.imagesPerSecond / def : null,
    };
  });
  const paramsEqual: Record<string, boolean> = {};
  for (const w of new Set(rates.map((r) => r.workload))) {
    const counts = new Set(rates.filter((r) => r.workload === w && r.params !== null).map((r) => r.params));
    if (w !== 'reference' && counts.size) paramsEqual[w] = counts.size === 1;
  }
  const f = (v: number | null) => (v === null ? '—' : v.toFixed(3));
  const table = [
    '| workload | where | images/s | ms/step | params | to CUDA fp32 | to CUDA default |',
    '|---|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.workload} | ${r.source}${r.device ? ` (${r.device})` : ''} | ${r.imagesPerSecond.toFixed(1)} | ${r.msPerStep.toFixed(1)} | ${r.params ?? '—'} | ${f(r.toCudaFp32)} | ${f(r.toCudaDefault)} |`,
    ),
  ].join('\n');
  return { rows, paramsEqual, table };
}

function readRates(dir: string): Rate[] {
  const rates: Rate[] = [];
  for (const file of readdirSync(dir)
    .filter((f) => /^2-.*\.jsonl$/.test(f))
    .sort()) {
    const source = file.slice(2, -'.jsonl'.length);
    for (const line of readFileSync(join(dir, file), 'utf8').split('\n')) {
      if (!line.startsWith('{')) continue;
      const r = JSON.parse(line) as Partial<Rate> & { skipped?: string };
      if (r.workload && typeof r.imagesPerSecond === 'number')
        rates.push({ ...(r as Rate), source, params: r.params ?? null });
    }
  }
  return rates;
}

function main() {
  const dir = process.argv[2];
  if (!dir) throw new Error('usage: gpuKitSummary OUTDIR');
  const s = summariseRates(readRates(dir));
  writeFileSync(join(dir, '2-rates.json'), JSON.stringify({ rows: s.rows, paramsEqual: s.paramsEqual }, null, 2));
  console.log(s.table);
  const unequal = Object.entries(s.paramsEqual).filter(([, ok]) => !ok);
  console.log(
    unequal.length
      ? `parameter counts DIFFER for ${unequal.map(([w]) => w).join(', ')}: those ratios compare different models`
      : 'parameter counts equal in tfjs and PyTorch for every model workload',
  );
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
