import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * npm test: every check CI runs, each step started as soon as the steps it needs have passed: the type
 * check, lint and the app's build side by side once the kernels are built, then the unit tests and the
 * browser tests side by side (each is mostly one busy process: one after the other they left a core of
 * a 2-core machine idle for minutes; docs/test-times.md). The tests wait for the type check and lint,
 * as the old `a && b && c` chain did: started beside the tests too, those two took three times as long
 * and npm test 64 s longer (838 s against 774 s) — on two cores, more busy processes only share them.
 * A step whose need failed is not started, and once any step has failed no new step starts; the steps
 * already running go to their end, so one failure does not hide another. Each output line is prefixed
 * with its step's name; a table of the steps' times closes the run. Ctrl-C stops every step.
 */

export interface Step {
  name: string;
  command: string;
  /** The steps that must have passed before this one starts. */
  after?: string[];
}

export interface StepResult {
  name: string;
  /** null: not started, because a step failed first. */
  code: number | null;
  /** When it started, in seconds from the run's start, and how long it ran. */
  start: number;
  seconds: number;
}

type Write = (line: string) => void;

function runStep(step: Step, write: Write, running: Set<number>, origin: number): Promise<StepResult> {
  const t0 = Date.now();
  return new Promise((done) => {
    // Its own process group, so that stopping it stops what it started (browsers, servers, forks).
    const child = spawn('bash', ['-c', step.command], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    if (child.pid) running.add(child.pid);
    for (const stream of [child.stdout, child.stderr]) {
      let rest = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        const lines = (rest + chunk).split('\n');
        rest = lines.pop() ?? '';
        for (const line of lines) write(`[${step.name}] ${line}`);
      });
      stream.on('end', () => rest && write(`[${step.name}] ${rest}`));
    }
    child.on('close', (code, signal) => {
      if (child.pid) running.delete(child.pid);
      const start = (t0 - origin) / 1000;
      done({ name: step.name, code: code ?? (signal ? 128 : 1), start, seconds: (Date.now() - t0) / 1000 });
    });
  });
}

/**
 * Runs the steps, each as soon as those it needs have passed, until none is left to start; results in
 * the steps' order.
 */
export async function runSteps(steps: Step[], write: Write, running = new Set<number>()): Promise<StepResult[]> {
  const origin = Date.now();
  const results = new Map<string, StepResult>();
  const started = new Set<string>();
  let failed = false;
  await new Promise<void>((allDone) => {
    const next = () => {
      for (const step of steps) {
        if (started.has(step.name) || failed) continue;
        const needs = (step.after ?? []).map((n) => results.get(n));
        if (needs.some((r) => !r || r.code !== 0)) continue;
        started.add(step.name);
        void runStep(step, write, running, origin).then((r) => {
          results.set(step.name, r);
          if (r.code !== 0) failed = true;
          next();
        });
      }
      if ([...started].every((n) => results.has(n))) allDone();
    };
    next();
  });
  return steps.map((s) => results.get(s.name) ?? { name: s.name, code: null, start: 0, seconds: 0 });
}

export function summary(results: StepResult[], seconds: number): string {
  const rows = results.map(
    (r) =>
      `  ${r.name.padEnd(7)} ${r.code === null ? 'not run (a step failed first)' : `${r.code === 0 ? 'passed' : `FAILED (exit ${r.code})`} in ${r.seconds.toFixed(0)} s, from ${r.start.toFixed(0)} s`}`,
  );
  const ok = results.every((r) => r.code === 0);
  return [`npm test ${ok ? 'passed' : 'FAILED'} in ${seconds.toFixed(0)} s`, ...rows].join('\n');
}

/** What npm test runs (each step is also an npm script of its own: kernels, typecheck, lint, test:unit, test:e2e). */
export const STEPS: Step[] = [
  // The generated kernels module that every later step imports; rebuilt only when its sources changed.
  { name: 'kernels', command: 'tsx src/build/simdKernels.ts' },
  { name: 'types', command: 'tsc -p tsconfig.json --noEmit', after: ['kernels'] },
  { name: 'lint', command: 'eslint . --max-warnings 0 && prettier --check .', after: ['kernels'] },
  { name: 'build', command: 'vite build --logLevel warn', after: ['kernels'] },
  // The browser tests serve the built app (and the dev server).
  { name: 'unit', command: 'vitest run', after: ['types', 'lint'] },
  { name: 'e2e', command: 'playwright test', after: ['types', 'lint', 'build'] },
];

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const running = new Set<number>();
  const stop = () => {
    for (const pid of running) {
      try {
        process.kill(-pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
    process.exit(130);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const t0 = Date.now();
  const results = await runSteps(STEPS, (line) => console.log(line), running);
  const seconds = (Date.now() - t0) / 1000;
  console.log(`\n${summary(results, seconds)}`);
  // Beside vitest's and Playwright's reports: src/build/testTimes.ts puts the steps' times on docs/test-times.md.
  mkdirSync('test-results', { recursive: true });
  writeFileSync('test-results/npm-test.json', JSON.stringify({ seconds, results }, null, 2));
  process.exit(results.every((r) => r.code === 0) ? 0 : 1);
}
