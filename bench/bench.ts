/**
 * npm run bench — training throughput, side by side in one run:
 *   - the reference CNN (bench/referenceCnn.ts) in PyTorch on the CPU (bench/reference_cnn.py, via
 *     /usr/bin/python3 when `import torch` works), in Node (wasm, cpu) and in headless Chromium
 *     (webgpu, webgl, wasm, cpu), each with its ratio to PyTorch;
 *   - one distillation step of the tiny and lab presets on the same backends;
 *   - teacher vs student inference latency; dataset first load vs IndexedDB-cached load (Chromium);
 *   - tensor counts before and after each workload;
 *   - the cost of the live charts: the built app's sweep time with the loss chart drawn vs hidden;
 *   - paired rounds: PyTorch and each wasm path alternately on the reference CNN, the ratio per round.
 * Prints a markdown table; writes JSON to bench/out/bench.json. Not part of `npm test`.
 *   npm run bench -- --steps 3 --rounds 3 --node wasm,cpu --browser webgpu,webgl,wasm,cpu [--no-browser] [--no-charts]
 */
import * as tf from '@tensorflow/tfjs';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { selectBackend } from '../src/engine/backend';
import type { BackendName } from '../src/engine/types';
import { distillStep, inferenceLatency, referenceStep, type InferenceResult, type StepResult } from './workloads';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const arg = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const steps = Number(arg('steps', '3'));
const nodeBackends = arg('node', 'wasm,cpu').split(',').filter(Boolean) as BackendName[];
const browserBackends = args.includes('--no-browser')
  ? []
  : (arg('browser', 'webgpu,webgl,wasm,cpu').split(',').filter(Boolean) as BackendName[]);
const python = arg('python', '/usr/bin/python3');
const chromium = arg('chromium', process.env.CHROMIUM_PATH ?? '/usr/bin/chromium');
const out = arg('out', 'bench/out/bench.json');
const rounds = Number(arg('rounds', '3'));

interface Row extends StepResult {
  env: 'node' | 'chromium' | 'pytorch';
  backend: string;
}
const rows: Row[] = [];
const latency: (InferenceResult & { env: string; backend: string })[] = [];
const notes: string[] = [];
let datasetCache: unknown = null;
let folderCache: unknown = null;
let charts: { visibleSeconds: number[]; hiddenSeconds: number[]; url: string } | null = null;
const log = (s: string) => console.error(s);

/**
 * Paired rounds on the reference CNN: PyTorch (2 threads) and one tfjs path measured back to back,
 * `rounds` times. On a shared machine both move together, so the ratio within a round is steadier
 * than a ratio to one anchor figure; the table reports the median and the range.
 */
interface Paired {
  env: string;
  backend: string;
  ratios: number[];
  torch: number[];
  tfjs: number[];
}
const paired: Paired[] = [];
async function pairRounds(env: string, backend: string, measure: () => Promise<number>) {
  const p: Paired = { env, backend, ratios: [], torch: [], tfjs: [] };
  for (let i = 0; i < rounds; i++) {
    const torch = pytorch(2, false);
    if (!torch) return;
    const value = await measure();
    p.torch.push(torch.imagesPerSecond);
    p.tfjs.push(value);
    p.ratios.push(value / torch.imagesPerSecond);
  }
  paired.push(p);
  log(`paired rounds ${env} ${backend} done`);
}
const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Software backends in Chromium here train at a few images/s: fewer steps and no lab preset. */
function workloadsFor(env: 'node' | 'chromium', backend: BackendName): string[] {
  const slow = env === 'chromium' && backend !== 'wasm';
  const base = ['reference', 'distill-tiny', 'inference-tiny'];
  return slow ? base : [...base, 'distill-lab', 'inference-lab'];
}

function pytorch(threads: number, note = true): Row | null {
  try {
    const outText = execFileSync(
      python,
      [join(here, 'reference_cnn.py'), String(threads), String(Math.max(steps, 30))],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const r = JSON.parse(outText.trim().split('\n').pop()!);
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
    notes.push(
      `PyTorch was not measured (${python} bench/reference_cnn.py failed: ${(e as Error).message.split('\n')[0]}); install python3-torch for the anchor.`,
    );
    return null;
  }
}

async function nodeBench() {
  for (const backend of nodeBackends) {
    const report = await selectBackend({ forced: backend });
    if (report.name !== backend) {
      notes.push(`node ${backend} skipped: ${report.fallbacks.join('; ')}`);
      continue;
    }
    for (const w of workloadsFor('node', backend)) {
      // Node's tfjs cpu backend is ~10× slower than wasm: keep its lab step to one timed step.
      const n = backend === 'cpu' && w === 'distill-lab' ? 1 : steps;
      if (w === 'reference') rows.push({ env: 'node', backend, ...(await referenceStep(n)) });
      else if (w.startsWith('distill-'))
        rows.push({ env: 'node', backend, ...(await distillStep(w.slice(8) as 'tiny' | 'lab', n)) });
      else latency.push({ env: 'node', backend, ...(await inferenceLatency(w.slice(10) as 'tiny' | 'lab', 5)) });
      log(`node ${backend} ${w} done`);
    }
    if (backend === 'wasm') await pairRounds('node', 'wasm', async () => (await referenceStep(steps)).imagesPerSecond);
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
      if ((r.threads ?? 1) < 2) notes.push(`node wasm asked for ${threads} threads and got ${r.threads ?? 'none'}.`);
      for (const row of r.rows) {
        if ('imagesPerSecond' in row) rows.push({ env: 'node', backend: label, ...row });
        else latency.push({ env: 'node', backend: label, ...row });
      }
      log(`node ${label} done`);
      await pairRounds('node', label, async () => (threaded(['reference']).rows[0] as StepResult).imagesPerSecond);
    } catch (e) {
      notes.push(`node threaded wasm was not measured: ${(e as Error).message.split('\n')[0]}`);
    }
  }
}

/** Serves a built folder to a page straight from disk, cross-origin isolated; localhost keeps it a secure context. */
async function serveDir(page: import('@playwright/test').Page, origin: string, root: string): Promise<void> {
  await page.route(`${origin}/**`, (route) => {
    let path = join(root, new URL(route.request().url()).pathname);
    if (path.endsWith('/')) path = join(path, 'index.html');
    if (!existsSync(path)) return route.fulfill({ status: 404, body: 'not found' });
    return route.fulfill({
      status: 200,
      body: readFileSync(path),
      headers: {
        'Content-Type': MIME[extname(path)] ?? 'application/octet-stream',
        'Cross-Origin-Opener-Policy': 'same-origin',
        'Cross-Origin-Embedder-Policy': 'require-corp',
      },
    });
  });
}

const MIME: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.wasm': 'application/wasm',
  '.css': 'text/css',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
};

async function browserBench() {
  if (browserBackends.length === 0) return;
  if (!existsSync(chromium)) {
    notes.push(`Chromium not found at ${chromium}: browser backends not measured.`);
    return;
  }
  const { build } = await import('vite');
  await build({ configFile: join(here, 'vite.bench.config.ts') });
  const { chromium: pw } = await import('@playwright/test');
  const browser = await pw.launch({
    executablePath: chromium,
    args: [
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-quic',
      '--no-first-run',
      '--enable-unsafe-webgpu',
      '--enable-features=Vulkan',
    ],
  });
  const root = join(here, 'out', 'web');
  const origin = 'http://localhost:4999';
  try {
    // wasm twice: the single-threaded build, then the threaded one on every core (the lab's worker asks for up to 4).
    const runs = browserBackends.flatMap((backend): { backend: BackendName; threads: number }[] =>
      backend === 'wasm'
        ? [
            { backend, threads: 0 },
            { backend, threads: cpus().length },
          ]
        : [{ backend, threads: 0 }],
    );
    for (const { backend, threads } of runs) {
      const page = await browser.newPage();
      await serveDir(page, origin, root);
      await page.goto(`${origin}/index.html`);
      await page.waitForFunction(() => document.getElementById('status')?.textContent === 'bench page ready');
      const workloads = workloadsFor('chromium', backend);
      if (backend === 'wasm' && !threads) workloads.push('dataset-lab', 'folder');
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
      if (result.skipped) notes.push(`chromium ${label} skipped: ${result.skipped}`);
      if (threads && result.threads !== undefined && result.threads < 2)
        notes.push(`chromium wasm asked for ${threads} threads and got ${result.threads}.`);
      for (const r of result.rows ?? []) {
        if ('imagesPerSecond' in r) rows.push({ env: 'chromium', backend: label, ...(r as StepResult) });
        else if ('teacherMsPerImage' in r) latency.push({ env: 'chromium', backend: label, ...(r as InferenceResult) });
        else if (String((r as { preset: string }).preset).startsWith('folder')) folderCache = r;
        else datasetCache = r;
      }
      log(`chromium ${label} done`);
      if (backend === 'wasm' && !result.skipped) {
        await pairRounds('chromium', label, async () => {
          const again = (await page.evaluate(
            (spec) => (window as never as { fdBench: { run(s: unknown): Promise<unknown> } }).fdBench.run(spec),
            { backend, workloads: ['reference'], steps, threads },
          )) as { rows: StepResult[] };
          return again.rows[0].imagesPerSecond;
        });
      }
      await page.close();
    }
    if (!args.includes('--no-charts')) charts = await chartCost(browser);
  } finally {
    await browser.close();
  }
}

/**
 * What the live charts cost training: the built app runs the same small sweep with the loss chart
 * drawn (throttled to 2 redraws/s) and with ?charts=0, alternating, on the page's own worker.
 */
async function chartCost(browser: import('@playwright/test').Browser) {
  const { build } = await import('vite');
  const appRoot = join(here, 'out', 'app');
  await build({
    configFile: join(here, '..', 'vite.config.ts'),
    logLevel: 'warn',
    build: { outDir: appRoot, emptyOutDir: true },
  });
  const origin = 'http://localhost:4998';
  const query = '?preset=tiny&methods=kd&lambdas=0,1&baseline=0&teacherEpochs=3&studentEpochs=3';
  const once = async (visible: boolean) => {
    const context = await browser.newContext(); // fresh IndexedDB: both modes generate the dataset
    const page = await context.newPage();
    await serveDir(page, origin, appRoot);
    await page.goto(`${origin}/${query}${visible ? '' : '&charts=0'}`);
    await page.waitForSelector('[data-testid="backend-badge"][data-backend="wasm"]');
    const t0 = Date.now();
    await page.getByTestId('distill').click();
    await page.waitForSelector('[data-testid="stage"]:has-text("Done")', { timeout: 600_000 });
    const seconds = (Date.now() - t0) / 1000;
    await context.close();
    return seconds;
  };
  const visibleSeconds: number[] = [],
    hiddenSeconds: number[] = [];
  for (let i = 0; i < 2; i++) {
    visibleSeconds.push(await once(true));
    hiddenSeconds.push(await once(false));
  }
  log('charts visible vs hidden done');
  return { visibleSeconds, hiddenSeconds, url: query };
}

function table(): string {
  const torch =
    rows.find((r) => r.env === 'pytorch' && r.backend.includes('×2')) ?? rows.find((r) => r.env === 'pytorch');
  const lines = [
    '| where | backend | workload | batch | images/s | ms/step | ratio to PyTorch | tensors before → after |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    const ratio =
      r.workload === 'reference-cnn' && torch ? (r.imagesPerSecond / torch.imagesPerSecond).toFixed(3) : '—';
    lines.push(
      `| ${r.env} | ${r.backend} | ${r.workload} | ${r.batch} | ${r.imagesPerSecond.toFixed(1)} | ${r.msPerStep.toFixed(0)} | ${ratio} | ${r.env === 'pytorch' ? '—' : `${r.tensorsBefore} → ${r.tensorsAfter}`} |`,
    );
  }
  if (paired.length) {
    lines.push(
      '',
      `Paired rounds on the reference CNN (PyTorch 2 threads, then tfjs, ${rounds} times):`,
      '',
      '| where | backend | median ratio | range | PyTorch img/s per round | tfjs img/s per round |',
      '|---|---|---|---|---|---|',
    );
    for (const p of paired)
      lines.push(
        `| ${p.env} | ${p.backend} | ${median(p.ratios).toFixed(3)} | ${Math.min(...p.ratios).toFixed(3)}–${Math.max(...p.ratios).toFixed(3)} | ${p.torch.map((v) => v.toFixed(0)).join(', ')} | ${p.tfjs.map((v) => v.toFixed(0)).join(', ')} |`,
      );
  }
  lines.push(
    '',
    '| where | backend | preset | teacher ms/image | student ms/image | student speed-up |',
    '|---|---|---|---|---|---|',
  );
  for (const l of latency)
    lines.push(
      `| ${l.env} | ${l.backend} | ${l.preset} | ${l.teacherMsPerImage.toFixed(2)} | ${l.studentMsPerImage.toFixed(2)} | ${l.speedUp.toFixed(2)}× |`,
    );
  if (datasetCache) {
    const d = datasetCache as {
      preset: string;
      images: number;
      firstLoadMs: number;
      cachedLoadMs: number;
      speedUp: number;
    };
    lines.push(
      '',
      `Dataset (${d.preset}, ${d.images} images, Chromium IndexedDB): first load ${d.firstLoadMs.toFixed(0)} ms, cached load ${d.cachedLoadMs.toFixed(0)} ms (${d.speedUp.toFixed(1)}× faster).`,
    );
  }
  if (folderCache) {
    const d = folderCache as { preset: string; firstLoadMs: number; cachedLoadMs: number; speedUp: number };
    lines.push(
      '',
      `Imported ${d.preset} (Chromium): first load (decode, crop, resize, store) ${d.firstLoadMs.toFixed(0)} ms, cached load ${d.cachedLoadMs.toFixed(0)} ms (${d.speedUp.toFixed(1)}× faster).`,
    );
  }
  if (charts) {
    const med = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
    lines.push(
      '',
      `Live charts (Chromium, wasm, ${charts.url}): ${med(charts.visibleSeconds).toFixed(1)} s with the loss chart drawn vs ${med(charts.hiddenSeconds).toFixed(1)} s hidden (median of ${charts.visibleSeconds.length}); training throughput with charts = ${(med(charts.hiddenSeconds) / med(charts.visibleSeconds)).toFixed(2)}× of hidden.`,
    );
  }
  if (torch) lines.push('', `Ratios are to ${torch.backend} on the reference CNN, measured in this run.`);
  if (anchorAtEnd.length) {
    lines.push(
      `The anchor again at the end of the run: ${anchorAtEnd.map((r) => `${r.backend} ${r.imagesPerSecond.toFixed(0)} img/s`).join(', ')} (a shared machine moves it; ratios to the end figure differ by that much).`,
    );
  }
  for (const n of notes) lines.push(`- ${n}`);
  return lines.join('\n');
}

/** PyTorch measured once more after everything else: how far the anchor drifted during the run. */
const anchorAtEnd: Row[] = [];

async function main() {
  for (const threads of [1, 2]) {
    const r = pytorch(threads);
    if (r) rows.push(r);
    else break;
  }
  log('pytorch done');
  await nodeBench();
  await browserBench();
  if (rows.some((r) => r.env === 'pytorch'))
    for (const threads of [1, 2]) {
      const r = pytorch(threads);
      if (r) anchorAtEnd.push(r);
    }
  const md = table();
  console.log(md);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(
    out,
    JSON.stringify(
      {
        when: new Date().toISOString(),
        cpus: (await import('node:os')).cpus().length,
        steps,
        rows,
        paired,
        anchorAtEnd,
        latency,
        datasetCache,
        folderCache,
        charts,
        notes,
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
