import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where npm test's time goes (docs/test-times.md): each unit-test file's time and test count from
 * vitest's JSON report, each browser-test file's from Playwright's, both written by every run into
 * test-results/ (vite.config.ts, playwright.config.ts). `npx tsx src/build/testTimes.ts [NOTE]` after
 * `npm test` renders the page; NOTE says what else the machine was doing.
 */

interface VitestReport {
  startTime: number;
  numTotalTests: number;
  testResults: { name: string; startTime: number; endTime: number; assertionResults: { duration?: number }[] }[];
}

interface PlaywrightSuite {
  title: string;
  file?: string;
  specs?: { tests: { projectName: string; results: { duration: number }[] }[] }[];
  suites?: PlaywrightSuite[];
}
interface PlaywrightReport {
  stats: { startTime: string; duration: number; expected: number; unexpected: number; skipped: number };
  suites: PlaywrightSuite[];
}

export interface FileTime {
  file: string;
  tests: number;
  seconds: number;
}

export function unitTimes(report: VitestReport, root: string): { files: FileTime[]; wall: number; tests: number } {
  const files = report.testResults.map((f) => ({
    file: relative(root, f.name),
    tests: f.assertionResults.length,
    seconds: (f.endTime - f.startTime) / 1000,
  }));
  const end = Math.max(...report.testResults.map((f) => f.endTime));
  return {
    files: files.sort((a, b) => b.seconds - a.seconds),
    wall: (end - report.startTime) / 1000,
    tests: report.numTotalTests,
  };
}

export function e2eTimes(report: PlaywrightReport): { files: FileTime[]; wall: number; tests: number } {
  const byFile = new Map<string, FileTime>();
  const walk = (s: PlaywrightSuite, file: string) => {
    const f = s.file ?? file;
    for (const spec of s.specs ?? [])
      for (const t of spec.tests) {
        const row = byFile.get(f) ?? { file: `e2e/${f}`, tests: 0, seconds: 0 };
        row.tests++;
        row.seconds += t.results.reduce((a, r) => a + r.duration, 0) / 1000;
        byFile.set(f, row);
      }
    for (const child of s.suites ?? []) walk(child, f);
  };
  for (const s of report.suites) walk(s, s.file ?? s.title);
  const files = [...byFile.values()].sort((a, b) => b.seconds - a.seconds);
  return { files, wall: report.stats.duration / 1000, tests: files.reduce((a, f) => a + f.tests, 0) };
}

const row = (f: FileTime) => `| ${f.file} | ${f.tests} | ${f.seconds.toFixed(1)} |`;
const table = (files: FileTime[]) => ['| file | tests | seconds |', '|---|---:|---:|', ...files.map(row)].join('\n');

/** What src/build/testAll.ts writes: npm test's steps, when each started and how long it ran. */
export interface NpmTestSteps {
  seconds: number;
  results: { name: string; code: number | null; start: number; seconds: number }[];
}

/** npm test's wall time and each step's span in it (the steps run side by side). */
export function stepsLine(steps: NpmTestSteps): string {
  const span = (r: NpmTestSteps['results'][number]) =>
    r.code === null
      ? `${r.name} not run`
      : `${r.name} ${Math.round(r.start)}–${Math.round(r.start + r.seconds)}${r.code === 0 ? '' : ' FAILED'}`;
  const ok = steps.results.every((r) => r.code === 0);
  const m = Math.floor(steps.seconds / 60);
  return `**npm test: ${m} min ${Math.round(steps.seconds - 60 * m)} s in all${ok ? '' : ', NOT every step passing'}** — each step from its start to its end, in seconds (src/build/testAll.ts starts each once what it needs has passed): ${steps.results.map(span).join(', ')}.`;
}

export function testTimesPage(
  unit: ReturnType<typeof unitTimes>,
  e2e: ReturnType<typeof e2eTimes> | null,
  note: string,
  steps: NpmTestSteps | null = null,
): string {
  const lines = [
    '# Where `npm test` spends its time',
    '',
    `Rendered by \`npx tsx src/build/testTimes.ts\` from the JSON reports of one \`npm test\` (test-results/). ${note}`,
    '',
    ...(steps ? [stepsLine(steps), ''] : []),
    `- unit tests (vitest, files in parallel on two forks): ${unit.files.length} files, ${unit.tests} tests, ${Math.round(unit.wall)} s`,
    ...(e2e
      ? [
          `- browser tests (Playwright, one worker, beside the unit tests): ${e2e.files.length} files, ${e2e.tests} tests, ${Math.round(e2e.wall)} s`,
        ]
      : []),
    '',
    '`npm run test:quick` leaves out the files of `SLOW_TESTS` in vite.config.ts (each a few seconds or more below).',
    '',
    '## Unit-test files (each file’s own time; files run two at a time, beside the browser tests)',
    '',
    table(unit.files),
  ];
  if (e2e) lines.push('', '## Browser-test files', '', table(e2e.files));
  return lines.join('\n') + '\n';
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = process.cwd();
  const unit = unitTimes(JSON.parse(readFileSync('test-results/vitest.json', 'utf8')) as VitestReport, root);
  const e2e = existsSync('test-results/playwright.json')
    ? e2eTimes(JSON.parse(readFileSync('test-results/playwright.json', 'utf8')) as PlaywrightReport)
    : null;
  const steps = existsSync('test-results/npm-test.json')
    ? (JSON.parse(readFileSync('test-results/npm-test.json', 'utf8')) as NpmTestSteps)
    : null;
  writeFileSync('docs/test-times.md', testTimesPage(unit, e2e, process.argv[2] ?? '', steps));
  console.log(`docs/test-times.md: ${unit.files.length} unit files, ${e2e?.files.length ?? 0} browser-test files`);
}
