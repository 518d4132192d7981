import { describe, expect, it } from 'vitest';
import { runSteps, STEPS, summary, type Step } from './testAll';

/** A step that notes when it starts and ends (ms since the epoch) and exits with `code` after `ms`. */
const timed = (name: string, ms: number, after: string[] = [], code = 0): Step => ({
  name,
  after,
  command: `echo start $(date +%s%3N); sleep ${ms / 1000}; echo end $(date +%s%3N); echo to stderr >&2; exit ${code}`,
});

function span(lines: string[], name: string): [number, number] {
  const at = (what: string) => Number(lines.find((l) => l.startsWith(`[${name}] ${what} `))!.split(' ')[2]);
  return [at('start'), at('end')];
}

describe('npm test’s steps', () => {
  it('starts each step once what it needs has passed, side by side with the others, every line prefixed', async () => {
    const lines: string[] = [];
    const results = await runSteps(
      [timed('k', 10), timed('a', 700, ['k']), timed('b', 200, ['k']), timed('c', 10, ['b'])],
      (l) => lines.push(l),
    );
    expect(results.map((r) => [r.name, r.code])).toEqual([
      ['k', 0],
      ['a', 0],
      ['b', 0],
      ['c', 0],
    ]);
    const [k, a, b, c] = ['k', 'a', 'b', 'c'].map((n) => span(lines, n));
    // a and b start after k and overlap; c starts after b ended, without waiting for a.
    expect(Math.min(a[0], b[0])).toBeGreaterThanOrEqual(k[1]);
    expect(a[0]).toBeLessThan(b[1]);
    expect(b[0]).toBeLessThan(a[1]);
    expect(c[0]).toBeGreaterThanOrEqual(b[1]);
    expect(c[1]).toBeLessThan(a[1]);
    expect(lines).toContain('[a] to stderr');
    expect(results[1].start).toBeGreaterThanOrEqual(0);
  });

  it('after a failure starts nothing new, lets running steps finish, and says so', async () => {
    const results = await runSteps(
      [
        timed('kernels', 10),
        timed('lint', 10, ['kernels'], 3),
        timed('unit', 400, ['kernels']),
        timed('e2e', 10, ['unit']),
      ],
      () => {},
    );
    expect(results.map((r) => [r.name, r.code])).toEqual([
      ['kernels', 0],
      ['lint', 3],
      ['unit', 0],
      ['e2e', null],
    ]);
    const text = summary(results, 12);
    expect(text).toMatch(/^npm test FAILED in 12 s/);
    expect(text).toMatch(/lint {4}FAILED \(exit 3\) in \d+ s, from \d+ s/);
    expect(text).toContain('e2e     not run (a step failed first)');
  });

  it('runs every check the chained script ran: kernels, type check, lint, build, unit and browser tests', () => {
    const commands = STEPS.map((s) => s.command);
    for (const part of [
      'simdKernels.ts',
      'tsc ',
      'eslint ',
      'prettier --check',
      'vite build',
      'vitest run',
      'playwright test',
    ])
      expect(
        commands.some((c) => c.includes(part)),
        part,
      ).toBe(true);
    // The tests start after the type check and lint passed; the browser tests serve the built app.
    const step = (part: string) => STEPS.find((s) => s.command.includes(part))!;
    expect(step('vitest run').after).toEqual(['types', 'lint']);
    expect(step('playwright test').after).toEqual(['types', 'lint', step('vite build').name]);
    for (const part of ['tsc ', 'eslint ', 'vite build']) expect(step(part).after, part).toEqual(['kernels']);
  });
});
