/**
 * The page's import of WIDER at full size, measured: the built app in headless Chromium picks a WIDER-format
 * folder of 13,789 photos (src/cli/widerFolderKit.ts; --photos DIR to reuse one) at 224 px and imports it
 * chunk by chunk into IndexedDB. Sampled while it runs: the tab's memory as Chromium measures it
 * (performance.measureUserAgentSpecificMemory: the JS heaps of the page and its worker, wasm memory
 * included; the page is cross-origin isolated) and the resident set of the renderer process (which also
 * holds Blink, decoded image buffers and the GPU-less raster: an upper bound). Writes JSON.
 *
 * With --train, the page then trains on what it imported, as a user would with Distill: the tiny teacher
 * and the labels-only and CKD students one epoch each (the runner's one-epoch run on the same photos),
 * reading the stored chunks a few at a time; sampled the same way, its time and the table's first rows
 * are kept.
 *
 *   npx tsx bench/importMemory.ts [--photos DIR] [--size 224] [--train] [--out bench/out/import-memory.json]
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { makeLargeWiderCopy } from '../src/cli/widerFolderKit';
import { CHROMIUM_ARGS } from '../e2e/chromium';
import { buildLabApp, serveDir } from './serveDir';

const args = process.argv.slice(2);
const arg = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const size = arg('size', '224');
const out = arg('out', 'bench/out/import-memory.json');
const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Resident set (MB) of this browser's renderer processes: the children of its pid given --type=renderer. */
function rendererRssMB(browserPid: number): number {
  const ps = execFileSync('ps', ['-eo', 'pid=,ppid=,rss=,args='], { encoding: 'utf8' });
  const rows = ps
    .trim()
    .split('\n')
    .map((l) => /^\s*(\d+)\s+(\d+)\s+(\d+)\s+(.*)$/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null);
  const family = new Set([browserPid]);
  for (let grew = true; grew;) {
    grew = false;
    for (const m of rows)
      if (family.has(Number(m[2])) && !family.has(Number(m[1]))) {
        family.add(Number(m[1]));
        grew = true;
      }
  }
  return rows
    .filter((m) => family.has(Number(m[1])) && m[4].includes('--type=renderer'))
    .reduce((n, m) => n + Number(m[3]) / 1024, 0);
}

async function main() {
  const photos =
    arg('photos', '') || makeLargeWiderCopy(join(mkdtempSync(join(tmpdir(), 'fdl-import-mem-')), 'WIDER')).dir;
  const appRoot = await buildLabApp();
  if (!existsSync(chromium)) throw new Error(`Chromium not found at ${chromium}`);
  const { chromium: pw } = await import('@playwright/test');
  // Launched here (not connected to): the picked files then go by path, not streamed over a connection.
  // A switch Chromium ignores marks this browser's process for the RSS samples.
  const marker = `--fdl-import-memory=${process.pid}`;
  // A persistent profile on disk, as a user's browser has: a fresh context is incognito-like, and its
  // in-memory storage refuses 2 GB (the import then stops with the quota message and keeps nothing).
  const profile = mkdtempSync(join(tmpdir(), 'fdl-import-profile-'));
  const context = await pw.launchPersistentContext(profile, {
    executablePath: chromium,
    args: [...CHROMIUM_ARGS, marker],
  });
  const browserPid = Number(
    execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' })
      .split('\n')
      .find((l) => l.includes(marker) && !l.includes('--type='))
      ?.trim()
      .split(/\s+/)[0],
  );
  const origin = 'http://localhost:4997';
  const page = await context.newPage();
  await serveDir(page, origin, appRoot);
  const train = args.includes('--train');
  await page.goto(`${origin}/?preset=tiny${train ? '&teacherEpochs=1&studentEpochs=1&methods=kd&lambdas=0' : ''}`);
  await page.getByTestId('dataset-origin').selectOption('wider');
  await page.getByTestId('import-size').selectOption(size);
  const samples: { t: number; done: number; rendererRssMB: number; tabBytes?: number }[] = [];
  const t0 = Date.now();
  const picking = page.getByTestId('folder-input').setInputFiles(photos);
  let finished = false;
  void picking.then(() => undefined);
  let failure = null as string | null;
  const summary = Promise.race([
    page.getByTestId('dataset-summary').waitFor({ timeout: 3_600_000 }),
    page
      .getByTestId('dataset-error')
      .waitFor({ timeout: 3_600_000 })
      .then(async () => {
        failure = await page.getByTestId('dataset-error').textContent();
      }),
  ]).then(() => (finished = true));
  let lastTab = 0;
  while (!finished) {
    const done = Number(
      /^(\d+) \//.exec(
        (await page
          .getByTestId('import-progress')
          .textContent()
          .catch(() => '')) ?? '',
      )?.[1] ?? 0,
    );
    const s: (typeof samples)[number] = { t: (Date.now() - t0) / 1000, done, rendererRssMB: rendererRssMB(browserPid) };
    if (Date.now() - lastTab > 10_000) {
      lastTab = Date.now();
      s.tabBytes = await page
        .evaluate(() =>
          (performance as unknown as { measureUserAgentSpecificMemory(): Promise<{ bytes: number }> })
            .measureUserAgentSpecificMemory()
            .then((m) => m.bytes),
        )
        .catch(() => undefined);
    }
    samples.push(s);
    if (samples.length % 10 === 0)
      console.error(`${s.t.toFixed(0)} s: ${done} images, renderer ${s.rendererRssMB.toFixed(0)} MB`);
    await new Promise((r) => setTimeout(r, 1000));
  }
  await summary;
  if (failure) throw new Error(`the import failed: ${failure}`);
  const seconds = (Date.now() - t0) / 1000;
  const text = (await page.getByTestId('dataset-summary').textContent()) ?? '';
  const images = Number(/(\d+) images/.exec(text)?.[1] ?? NaN);
  // Training on the imported chunks: the same samples until the run is done (or fails).
  let training: Record<string, unknown> | undefined;
  if (train) {
    const t1 = Date.now();
    const trainSamples: { t: number; stage: string; rendererRssMB: number; tabBytes?: number }[] = [];
    await page.getByTestId('distill').click();
    let stage: string;
    let lastTrainTab = 0;
    for (;;) {
      stage = ((await page.getByTestId('stage').textContent()) ?? '').trim();
      const sample: (typeof trainSamples)[number] = {
        t: (Date.now() - t1) / 1000,
        stage,
        rendererRssMB: rendererRssMB(browserPid),
      };
      if (Date.now() - lastTrainTab > 10_000) {
        lastTrainTab = Date.now();
        sample.tabBytes = await page
          .evaluate(() =>
            (performance as unknown as { measureUserAgentSpecificMemory(): Promise<{ bytes: number }> })
              .measureUserAgentSpecificMemory()
              .then((m) => m.bytes),
          )
          .catch(() => undefined);
      }
      trainSamples.push(sample);
      if (trainSamples.length % 30 === 0) console.error(`training ${sample.t.toFixed(0)} s: ${stage}`);
      if (/^(Done|Failed|Error|Cancelled)/i.test(stage) || Date.now() - t1 > 3_600_000) break;
      await new Promise((r) => setTimeout(r, 2000));
    }
    const table = await page
      .getByTestId('results-table')
      .innerText()
      .catch(() => '');
    training = {
      url: page.url(),
      stage,
      seconds: (Date.now() - t1) / 1000,
      peakRendererRssMB: Math.max(...trainSamples.map((x) => x.rendererRssMB)),
      peakTabMB: Math.max(...trainSamples.map((x) => (x.tabBytes ?? 0) / 1e6)),
      table: table.split('\n').slice(0, 12).join('\n'),
      samples: trainSamples.filter((_, i) => i % 5 === 0),
    };
    console.log(`trained in ${(training.seconds as number).toFixed(0)} s: ${stage}`);
  }
  const report = {
    when: new Date().toISOString(),
    photos,
    size: Number(size),
    seconds,
    images,
    secondsPer1000: (seconds / images) * 1000,
    summary: text.trim(),
    peakRendererRssMB: Math.max(...samples.map((s) => s.rendererRssMB)),
    peakTabMB: Math.max(...samples.map((s) => (s.tabBytes ?? 0) / 1e6)),
    samples,
    ...(training ? { training } : {}),
  };
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(report, null, 2));
  console.log(
    `imported in ${seconds.toFixed(0)} s (${report.secondsPer1000.toFixed(1)} s per 1,000 photos): peak tab memory ${report.peakTabMB.toFixed(0)} MB (JS heaps + wasm, measureUserAgentSpecificMemory), peak renderer RSS ${report.peakRendererRssMB.toFixed(0)} MB; ${text.trim().slice(0, 160)}`,
  );
  await context.close();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
