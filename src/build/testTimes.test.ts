import { describe, expect, it } from 'vitest';
import { e2eTimes, stepsLine, testTimesPage, unitTimes } from './testTimes';

/** The test-time page reads vitest's and Playwright's JSON reports as they are written. */
describe('test times', () => {
  it('per file, slowest first, with the run’s wall time and test counts', () => {
    const unit = unitTimes(
      {
        startTime: 1000,
        numTotalTests: 3,
        testResults: [
          { name: '/r/src/a.test.ts', startTime: 2000, endTime: 2500, assertionResults: [{}, {}] },
          { name: '/r/src/b.test.ts', startTime: 1500, endTime: 9000, assertionResults: [{}] },
        ],
      },
      '/r',
    );
    expect(unit).toEqual({
      files: [
        { file: 'src/b.test.ts', tests: 1, seconds: 7.5 },
        { file: 'src/a.test.ts', tests: 2, seconds: 0.5 },
      ],
      wall: 8,
      tests: 3,
    });
    const e2e = e2eTimes({
      stats: { startTime: '', duration: 12_000, expected: 3, unexpected: 0, skipped: 0 },
      suites: [
        {
          title: 'x.spec.ts',
          file: 'x.spec.ts',
          specs: [{ tests: [{ projectName: 'chromium', results: [{ duration: 3000 }, { duration: 1000 }] }] }],
          suites: [{ title: 'inner', specs: [{ tests: [{ projectName: 'chromium', results: [{ duration: 500 }] }] }] }],
        },
        {
          title: 'y.spec.ts',
          file: 'y.spec.ts',
          specs: [{ tests: [{ projectName: 'c', results: [{ duration: 6000 }] }] }],
        },
      ],
    });
    expect(e2e.files).toEqual([
      { file: 'e2e/y.spec.ts', tests: 1, seconds: 6 },
      { file: 'e2e/x.spec.ts', tests: 2, seconds: 4.5 },
    ]);
    const page = testTimesPage(unit, e2e, 'quiet');
    expect(page).toContain('2 files, 3 tests, 8 s');
    expect(page).toContain('| e2e/x.spec.ts | 2 | 4.5 |');
  });

  it('npm test’s steps, each from its start to its end, from what src/build/testAll.ts wrote', () => {
    const steps = {
      seconds: 611.6,
      results: [
        { name: 'kernels', code: 0 as number | null, start: 0, seconds: 1.2 },
        { name: 'lint', code: 0 as number | null, start: 1.2, seconds: 41.6 },
        { name: 'unit', code: 0 as number | null, start: 1.3, seconds: 540.2 },
        { name: 'e2e', code: 0 as number | null, start: 9.5, seconds: 598.7 },
      ],
    };
    expect(stepsLine(steps)).toBe(
      '**npm test: 10 min 12 s in all** — each step from its start to its end, in seconds (src/build/testAll.ts starts each once what it needs has passed): kernels 0–1, lint 1–43, unit 1–542, e2e 10–608.',
    );
    steps.results[1].code = 2;
    steps.results[3] = { name: 'e2e', code: null, start: 0, seconds: 0 };
    expect(stepsLine(steps)).toContain('in all, NOT every step passing**');
    expect(stepsLine(steps)).toContain('lint 1–43 FAILED, unit 1–542, e2e not run.');
  });
});
