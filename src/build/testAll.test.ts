import { describe, expect, it } from 'vitest';
import { PHASES, runPhases, summary } from './testAll';

/** A step that notes when it starts and ends (ms since the epoch) and exits with `code` after `ms`. */
const timed = (name: string, ms: number, code = 0) => ({
  name,
  command: `echo start $(date +%s%3N); sleep ${ms / 1000}; echo end $(date +%s%3N); echo to stderr >&2; exit ${code}`,
});

function spans(lines: string[], name: string): [number, number] {
  const at = (what: string) => Number(lines.find((l) => l.startsWith(`[${name}] ${what} `))!.split(' ')[2]);
  return [at('start'), at('end')];
}

describe('npm test’s phases', () => {
  it('runs a phase’s steps side by side and the next phase after them, every line prefixed', async () => {
    const lines: string[] = [];
    const results = await runPhases([[timed('a', 600), timed('b', 600)], [timed('c', 10)]], (l) => lines.push(l));
    expect(results.map((r) => [r.name, r.code])).toEqual([
      ['a', 0],
      ['b', 0],
      ['c', 0],
    ]);
    const [a, b, c] = ['a', 'b', 'c'].map((n) => spans(lines, n));
    // a and b overlap (each started before the other ended); c starts after both ended.
    expect(a[0]).toBeLessThan(b[1]);
    expect(b[0]).toBeLessThan(a[1]);
    expect(c[0]).toBeGreaterThanOrEqual(Math.max(a[1], b[1]));
    expect(lines).toContain('[a] to stderr');
  });

  it('lets a failing step’s siblings finish, runs no later phase, and says so', async () => {
    const results = await runPhases([[timed('lint', 10, 3), timed('types', 300)], [timed('unit', 10)]], () => {});
    expect(results.map((r) => [r.name, r.code])).toEqual([
      ['lint', 3],
      ['types', 0],
      ['unit', null],
    ]);
    const text = summary(results, 12);
    expect(text).toMatch(/^npm test FAILED in 12 s/);
    expect(text).toContain('lint   FAILED (exit 3)');
    expect(text).toContain('unit   not run (an earlier step failed)');
  });

  it('runs every check the chained script ran: kernels, type check, lint, build, unit and browser tests', () => {
    const commands = PHASES.flat().map((s) => s.command);
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
    // The build precedes the browser tests, which serve it.
    const phaseOf = (part: string) => PHASES.findIndex((p) => p.some((s) => s.command.includes(part)));
    expect(phaseOf('vite build')).toBeLessThan(phaseOf('playwright test'));
  });
});
