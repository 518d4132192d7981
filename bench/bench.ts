/**
 * npm run bench — training throughput, side by side in one run:
 *   - the reference CNN (bench/referenceCnn.ts) in PyTorch on the CPU (bench/reference_cnn.py, via
 *     /usr/bin/python3 when `import torch` works), in Node (wasm, cpu) and in headless Chromium
 *     (webgpu, webgl, wasm, cpu), each with its ratio to PyTorch;
 *   - one distillation step of the tiny and lab presets on the same backends;
 *   - teacher vs student inference latency; dataset first load vs IndexedDB-cached load (Chromium);
 *   - tensor counts before and after each workload;
 *   - the cost of the live charts: the built app's sweep time with the loss chart drawn vs hidden;
 *   - paired rounds: PyTorch and each wasm path alternately on the reference CNN at the same thread
 *     count (7 rounds by default), the ratio per round, GFLOP/s and the ratio to the best PyTorch round.
 * Prints a markdown table; writes JSON to bench/out/bench.json. Not part of `npm test`.
 *   - WebGPU in Node (Dawn): dispatches, submissions and reads back per step of the training loop;
 *     `webgpuWork`: per preset model, the serial chain, fewest invocations and dispatches of a training
 *     step with tfjs's gradient kernels and with the lab's own (bench/webgpuWork.ts; --no-webgpu-work skips),
 *     with each step's host cost on Dawn's null adapter (hostMsPerStep, hostUsPerDispatch: bench/webgpuHost.ts);
 *   - kernel shares: each kernel's share of a reference step, a lab-teacher step and a lab distillation
 *     step on Node wasm, with the SIMD kernels off (before), plain and relaxed, and relaxed with the
 *     fused element-wise ops (relaxed+fused), at 1 and 2 threads;
 *   - the data path at 224 px: images/s decoding photos and streaming prepared batches (bench/dataPath.ts;
 *     --data-path-only runs just that, in Node and in Chromium's wasm page; --webgpu-work-only runs just
 *     the WebGPU loop counts and webgpuWork with its host times);
 *   npm run bench -- --steps 3 --rounds 7 --node wasm,cpu,webgpu --browser webgpu,webgl,wasm,cpu [--no-browser] [--no-charts]
 */
import * as tf from '@tensorflow/tfjs';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { cpus, tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { selectBackend } from '../src/engine/backend';
import type { BackendName } from '../src/engine/types';
import { provideNodeWebGPU } from '../src/cli/webgpuNode';
import { serveDir } from './serveDir';
import { gpuLoopCounts } from './gpuLoop';
import { presetModels, webgpuWork } from './webgpuWork';
import { joinHostCosts } from './webgpuHostJoin';
import { chartCost } from './chartCost';
import { kernelShareRuns } from './kernelShareRuns';
import { emptyReport, formatReport, type BenchReport, type Paired, type Row } from './report';
import { enableRelaxedSimd } from '../src/cli/relaxedSimdNode';
import { distillStep, inferenceLatency, referenceStep, type InferenceResult, type StepResult } from './workloads';
import { planRefusal, type PlanRefusal } from './planRefusal';
import { b0Pair } from './b0Step';
import { dataPathRate, type DataPathRate } from './dataPath';
import { makeLargeWiderCopy } from '../src/cli/widerFolderKit';
import { squareOf } from '../src/cli/folderData';
import { CHROMIUM_ARGS } from '../e2e/chromium';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const arg = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const steps = Number(arg('steps', '3'));
const nodeBackends = arg('node', 'wasm,cpu,webgpu').split(',').filter(Boolean) as BackendName[];
const browserBackends = args.includes('--no-browser')
  ? []
  : (arg('browser', 'webgpu,webgl,wasm,cpu').split(',').filter(Boolean) as BackendName[]);
const python = arg('python', '/usr/bin/python3');
const chromium = arg('chromium', process.env.CHROMIUM_PATH ?? '/usr/bin/chromium');
const out = arg('out', 'bench/out/bench.json');
const rounds = Number(arg('rounds', '7'));

const log = (s: string) => console.error(s);

/** PyTorch at `threads`, then the tfjs path at the same count, `rounds` times: a neighbour on the machine hits both alike. */
async function pairRounds(
  report: BenchReport,
  env: string,
  backend: string,
  threads: number,
  measure: () => Promise<number>,
) {
  const p: Paired = { env, backend, threads, ratios: [], torch: [], tfjs: [] };
  for (let i = 0; i < rounds; i++) {
    const torch = pytorch(report, threads, false);
    if (!torch) return;
    const value = await measure();
    p.torch.push(torch.imagesPerSecond);
    p.tfjs.push(value);
    p.ratios.push(value / torch.imagesPerSecond);
  }
  report.paired.push(p);
  log(`paired rounds ${env} ${backend} done`);
}
/** torchvision's B0 at 224 px, batch 16: the lab on wasm against PyTorch CPU at 1 and 2 threads, paired. */
async function b0Bench(report: BenchReport) {
  if (args.includes('--no-b0')) return;
  await selectBackend({ forced: 'wasm', wasmThreads: 1 });
  try {
    report.b0.push(await b0Pair(python, 1));
  } catch (e) {
    report.notes.push(`The B0 pair was not measured: ${(e as Error).message.split('\n')[0]}`);
  }
  log('B0 at 224 px done');
}

/** Software backends in Chromium here train at a few images/s: fewer steps and no lab preset. */
function workloadsFor(env: 'node' | 'chromium', backend: BackendName): string[] {
  const slow = env === 'chromium' && backend !== 'wasm';
  const base = ['reference', 'distill-tiny', 'inference-tiny'];
  return slow ? base : [...base, 'distill-lab', 'inference-lab'];
}

function pytorch(report: BenchReport, threads: number, note = true): Row | null {
  try {
    const outText = execFileSync(
      python,
      [join(here, 'reference_cnn.py'), String(threads), String(Math.max(steps, 30))],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const r = JSON.parse(outText.trim().split('\n').pop()!) as {
      torch: string;
      threads: number;
      imagesPerSecond: number;
      msPerStep: number;
    };
    return {
      env: 'pytorch',
      backend: `torch ${r.torch} cpu ×${r.threads} threads`,
      workload: 'reference-cnn',
      batch: 64,
      steps: Math.max(steps, 30),
      imagesPerSecond: r.imagesPerSecond,
      msPerStep: r.msPerStep,
      tensorsBefore: 0,
      tensorsAfter: 0,
    };
  } catch (e) {
    if (!note) return null;
    report.notes.push(
      `PyTorch was not measured (${python} bench/reference_cnn.py failed: ${(e as Error).message.split('\n')[0]}); install python3-torch for the anchor.`,
    );
    return null;
  }
}

async function nodeBench(report: BenchReport) {
  for (const backend of nodeBackends) {
    const noDawn = backend === 'webgpu' ? await provideNodeWebGPU() : null;
    const chosen = await selectBackend({ forced: backend });
    if (chosen.name !== backend) {
      report.notes.push(`node ${backend} skipped: ${[noDawn, ...chosen.fallbacks].filter(Boolean).join('; ')}`);
      continue;
    }
    if (backend === 'webgpu') {
      report.gpuLoop.push(...(await gpuLoopCounts(chosen)));
      log('node webgpu loop counted');
      if (!args.includes('--no-webgpu-work')) {
        report.webgpuWork = await webgpuWork(presetModels(), log);
        joinHostCosts(report.webgpuWork, log);
      }
      // A software adapter (SwiftShader) proves the path; its timings would only mislead.
      if (chosen.adapter?.software) continue;
    }
    for (const w of workloadsFor('node', backend)) {
      // Node's tfjs cpu backend is ~10× slower than wasm: keep its lab step to one timed step.
      const n = backend === 'cpu' && w === 'distill-lab' ? 1 : steps;
      if (w === 'reference') report.rows.push({ env: 'node', backend, ...(await referenceStep(n)) });
      else if (w.startsWith('distill-'))
        report.rows.push({ env: 'node', backend, ...(await distillStep(w.slice(8) as 'tiny' | 'lab', n)) });
      else report.latency.push({ env: 'node', backend, ...(await inferenceLatency(w.slice(10) as 'tiny' | 'lab', 5)) });
      log(`node ${backend} ${w} done`);
    }
    if (backend === 'wasm')
      await pairRounds(report, 'node', 'wasm', 1, async () => (await referenceStep(steps)).imagesPerSecond);
  }
  // The threaded wasm build, side by side with the single-threaded one above.
  if (nodeBackends.includes('wasm') && cpus().length > 1) {
    const threads = cpus().length;
    // bench/nodeThreaded.ts in a process of its own; its last line is the JSON of its rows.
    const threaded = (workloads: string[]) => {
      const text = execFileSync(
        process.execPath,
        [
          ...process.execArgv,
          join(here, 'nodeThreaded.ts'),
          '--threads',
          String(threads),
          '--steps',
          String(steps),
          '--workloads',
          workloads.join(','),
        ],
        { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 24 },
      );
      return JSON.parse(text.trim().split('\n').pop()!) as {
        threads?: number;
        fallbacks: string[];
        rows: (StepResult | InferenceResult)[];
      };
    };
    try {
      const r = threaded(workloadsFor('node', 'wasm'));
      const label = `wasm ×${r.threads ?? '?'} threads`;
      if ((r.threads ?? 1) < 2)
        report.notes.push(`node wasm asked for ${threads} threads and got ${r.threads ?? 'none'}.`);
      for (const row of r.rows) {
        if ('imagesPerSecond' in row) report.rows.push({ env: 'node', backend: label, ...row });
        else report.latency.push({ env: 'node', backend: label, ...row });
      }
      log(`node ${label} done`);
      await pairRounds(report, 'node', label, r.threads ?? 1, () =>
        Promise.resolve((threaded(['reference']).rows[0] as StepResult).imagesPerSecond),
      );
    } catch (e) {
      report.notes.push(`node threaded wasm was not measured: ${(e as Error).message.split('\n')[0]}`);
    }
  }
}

async function browserBench(report: BenchReport, dataPathOnly = false) {
  if (browserBackends.length === 0) return;
  if (!existsSync(chromium)) {
    report.notes.push(`Chromium not found at ${chromium}: browser backends not measured.`);
    return;
  }
  const { build } = await import('vite');
  await build({ configFile: join(here, 'vite.bench.config.ts') });
  const { chromium: pw } = await import('@playwright/test');
  const browser = await pw.launch({
    executablePath: chromium,
    args: [...CHROMIUM_ARGS, '--enable-unsafe-webgpu', '--enable-features=Vulkan'],
  });
  const root = join(here, 'out', 'web');
  const origin = 'http://localhost:4999';
  try {
    // wasm twice: the single-threaded build, then the threaded one on every core (the lab's worker asks for up to 4).
    const all = browserBackends.flatMap((backend): { backend: BackendName; threads: number }[] =>
      backend === 'wasm'
        ? [
            { backend, threads: 0 },
            { backend, threads: cpus().length },
          ]
        : [{ backend, threads: 0 }],
    );
    const runs = dataPathOnly ? [{ backend: 'wasm' as BackendName, threads: 0 }] : all;
    for (const { backend, threads } of runs) {
      const page = await browser.newPage();
      await serveDir(page, origin, root);
      await page.goto(`${origin}/index.html`);
      await page.waitForFunction(() => document.getElementById('status')?.textContent === 'bench page ready');
      const workloads = dataPathOnly ? [] : workloadsFor('chromium', backend);
      if (backend === 'wasm' && !threads)
        workloads.push(...(dataPathOnly ? [] : ['dataset-lab', 'folder', 'plan-refusal']), 'data-path');
      const slow = backend !== 'wasm';
      const result = (await page.evaluate(
        (spec) => (window as never as { fdBench: { run(s: unknown): Promise<unknown> } }).fdBench.run(spec),
        { backend, workloads, steps: slow ? 1 : steps, threads },
      )) as {
        backend: string;
        threads?: number;
        skipped?: string;
        rows?: (StepResult | InferenceResult | Record<string, unknown>)[];
      };
      const label = threads ? `${backend} ×${result.threads ?? '?'} threads` : backend;
      if (result.skipped) report.notes.push(`chromium ${label} skipped: ${result.skipped}`);
      if (threads && result.threads !== undefined && result.threads < 2)
        report.notes.push(`chromium wasm asked for ${threads} threads and got ${result.threads}.`);
      for (const r of result.rows ?? []) {
        if ('imagesPerSecond' in r) report.rows.push({ env: 'chromium', backend: label, ...(r as StepResult) });
        else if ('teacherMsPerImage' in r)
          report.latency.push({ env: 'chromium', backend: label, ...(r as InferenceResult) });
        else if ('students' in r) report.planRefusal.push(r as unknown as PlanRefusal);
        else if ('decodeImagesPerSecond' in r) report.dataPath.push(r as unknown as DataPathRate);
        else if (String((r as { preset: string }).preset).startsWith('folder')) report.folderCache = r;
        else report.datasetCache = r;
      }
      log(`chromium ${label} done`);
      if (backend === 'wasm' && !result.skipped && !dataPathOnly) {
        await pairRounds(report, 'chromium', label, result.threads ?? 1, async () => {
          const again = (await page.evaluate(
            (spec) => (window as never as { fdBench: { run(s: unknown): Promise<unknown> } }).fdBench.run(spec),
            { backend, workloads: ['reference'], steps, threads },
          )) as { rows: StepResult[] };
          return again.rows[0].imagesPerSecond;
        });
      }
      await page.close();
    }
    if (!args.includes('--no-charts') && !dataPathOnly) report.charts = await chartCost(browser, log);
  } finally {
    await browser.close();
  }
}

/** The data path in Node: 48 generated WIDER photos (640×480 JPEG) decoded and streamed at 224 px. */
async function dataPathNode(report: BenchReport) {
  await selectBackend({ forced: 'wasm', wasmThreads: 1 });
  const dir = makeLargeWiderCopy(join(mkdtempSync(join(tmpdir(), 'fdl-bench-wider-')), 'WIDER'), {
    trainval: 24,
    test: 24,
  }).dir;
  const files = readdirSync(join(dir, 'Image'), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
  report.dataPath.push(
    await dataPathRate('node (pure-JS jpeg-js + bicubic)', files, (f, size) =>
      Promise.resolve(squareOf(f, readFileSync(f), size)),
    ),
  );
  log('data path (node) done');
}

async function main() {
  enableRelaxedSimd(); // the kernels' best build, as Chrome and the runner have it
  const report = emptyReport();
  if (args.includes('--data-path-only') || args.includes('--webgpu-work-only')) {
    if (args.includes('--webgpu-work-only')) {
      // What a WebGPU step asks of a GPU and of the host, alone: the loop's counts and webgpuWork with
      // the null adapter's host times (the WebGPU issue's figures), on the adapter Node finds.
      const problem = await provideNodeWebGPU();
      const chosen = await selectBackend({ forced: 'webgpu' });
      if (chosen.name !== 'webgpu')
        throw new Error(`WebGPU did not start: ${[problem, ...chosen.fallbacks].join('; ')}`);
      report.gpuLoop.push(...(await gpuLoopCounts(chosen)));
      report.webgpuWork = await webgpuWork(presetModels(), log);
      joinHostCosts(report.webgpuWork, log);
    } else {
      await dataPathNode(report);
      await browserBench(report, true);
    }
    console.log(formatReport(report, rounds));
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, JSON.stringify({ when: new Date().toISOString(), cpus: cpus().length, ...report }, null, 2));
    return;
  }
  for (const threads of [1, 2]) {
    const r = pytorch(report, threads);
    if (r) report.rows.push(r);
    else break;
  }
  log('pytorch done');
  report.planRefusal.push(planRefusal('node'));
  await nodeBench(report);
  await b0Bench(report);
  await dataPathNode(report);
  if (nodeBackends.includes('wasm')) kernelShareRuns(report, steps, log);
  await browserBench(report);
  if (report.rows.some((r) => r.env === 'pytorch'))
    for (const threads of [1, 2]) {
      const r = pytorch(report, threads);
      if (r) report.anchorAtEnd.push(r);
    }
  const md = formatReport(report, rounds);
  console.log(md);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(
    out,
    JSON.stringify(
      {
        when: new Date().toISOString(),
        cpus: (await import('node:os')).cpus().length,
        steps,
        ...report,
        tfjs: tf.version.tfjs,
      },
      null,
      2,
    ),
  );
  log(`wrote ${out}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
