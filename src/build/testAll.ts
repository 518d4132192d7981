import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * npm test: every check CI runs, in phases whose steps run side by side — the type check, lint and the
 * app's build together, then the unit tests and the browser tests together (each is mostly one busy
 * process: apart they leave a core of a 2-core machine idle for minutes; docs/test-times.md). A phase
 * starts only when every step of the one before passed, as the old `a && b && c` chain did; the steps of
 * a phase all run to their end, so one failure does not hide another. Each output line is prefixed with
 * its step's name; a table of the steps' times closes the run. Ctrl-C stops every step.
 */

export interface Step {
  name: string;
  command: string;
}

export interface StepResult {
  name: string;
  /** null: not started, because a step of an earlier phase failed. */
  code: number | null;
  seconds: number;
}

type Write = (line: string) => void;

function runStep(step: Step, write: Write, running: Set<number>): Promise<StepResult> {
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
      done({ name: step.name, code: code ?? (signal ? 128 : 1), seconds: (Date.now() - t0) / 1000 });
    });
  });
}

/** Runs the phases in order, each one's steps side by side; stops after a phase in which a step failed. */
export async function runPhases(phases: Step[][], write: Write, running = new Set<number>()): Promise<StepResult[]> {
  const results: StepResult[] = [];
  let failed = false;
  for (const phase of phases) {
    if (failed) {
      results.push(...phase.map((s) => ({ name: s.name, code: null, seconds: 0 })));
      continue;
    }
    const done = await Promise.all(phase.map((s) => runStep(s, write, running)));
    results.push(...done);
    failed = done.some((r) => r.code !== 0);
  }
  return results;
}

export function summary(results: StepResult[], seconds: number): string {
  const rows = results.map(
    (r) =>
      `  ${r.name.padEnd(6)} ${r.code === null ? 'not run (an earlier step failed)' : `${r.code === 0 ? 'passed' : `FAILED (exit ${r.code})`} in ${r.seconds.toFixed(0)} s`}`,
  );
  const ok = results.every((r) => r.code === 0);
  return [`npm test ${ok ? 'passed' : 'FAILED'} in ${seconds.toFixed(0)} s`, ...rows].join('\n');
}

/** What npm test runs (each step is also an npm script of its own: typecheck, lint, test:unit, test:e2e). */
export const PHASES: Step[][] = [
  // The generated kernels module that every later step imports; rebuilt only when its sources changed.
  [{ name: 'kernels', command: 'tsx src/build/simdKernels.ts' }],
  [
    { name: 'types', command: 'tsc -p tsconfig.json --noEmit' },
    { name: 'lint', command: 'eslint . --max-warnings 0 && prettier --check .' },
    { name: 'build', command: 'vite build --logLevel warn' },
  ],
  [
    { name: 'unit', command: 'vitest run' },
    { name: 'e2e', command: 'playwright test' },
  ],
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
  const results = await runPhases(PHASES, (line) => console.log(line), running);
  console.log(`\n${summary(results, (Date.now() - t0) / 1000)}`);
  process.exit(results.every((r) => r.code === 0) ? 0 : 1);
}
