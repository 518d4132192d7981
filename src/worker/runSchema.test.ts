import { beforeAll, describe, expect, it } from 'vitest';
import { exportRunsJson } from '../analysis/runFiles';
import { generateSynthetic, SYNTHETIC_PRESETS } from '../engine/data/synthetic';
import { savedModelKey } from '../engine/models/keys';
import { EXPERIMENT_PRESETS, methodChoice, type SyntheticExperimentConfig } from '../engine/presets';
import { runExperiment } from '../engine/run/experiment';
import { useTestBackend } from '../engine/testing/setup';
import type { StoredRun } from '../engine/types';
import { MAX_NOTES, MAX_RUN_BYTES, MAX_TAGS, parseRunsExport } from './runSchema';
import { cleanAnnotation, importedRuns } from './storageOps';

let run: StoredRun;

beforeAll(async () => {
  await useTestBackend();
  const config: SyntheticExperimentConfig = {
    ...EXPERIMENT_PRESETS.tiny,
    dataset: { ...SYNTHETIC_PRESETS.tiny, examples: 160 },
    teacherEpochs: 1,
    studentEpochs: 1,
    lambdas: [0, 1],
    methods: [methodChoice('tiny', 'kd')],
  };
  const result = await runExperiment(
    config,
    generateSynthetic(config.dataset),
    { name: 'wasm', fallbacks: [] },
    {
      emit: () => {},
      // Saved where the worker would save them: keys that belong to run "run-1".
      onModel: (_role, label) => savedModelKey('run-1', label),
    },
  );
  run = { id: 'run-1', name: 'sweep "one"', createdAt: result.startedAt, result };
});

/** The export with one change made to its first run (a function that edits the parsed JSON). */
type Json = any;

function edited(change: (r: Json) => void): string {
  const doc = JSON.parse(exportRunsJson([run])) as { runs: Json[] };
  change(doc.runs[0]);
  return JSON.stringify(doc);
}

describe('runs import: the full schema', () => {
  it('a real export passes, and the run comes back as it was (saved-model keys aside)', () => {
    const [back] = parseRunsExport(exportRunsJson([run]));
    const { teacher, students, ...rest } = run.result;
    expect(back.result).toMatchObject(rest);
    expect(back.result.students.map((s) => s.fairness)).toEqual(students.map((s) => s.fairness));
    expect(back.result.teacher.testPredictions).toEqual(teacher.testPredictions);
    // The exporting browser's model keys are not carried over: an imported run owns no model here.
    expect(back.result.teacher.modelKey).toBeUndefined();
  });

  it('a shallow-valid run (no backend, size or config) is refused, naming the first bad field', () => {
    expect(() => parseRunsExport(edited((r) => delete r.result.backend))).toThrow(
      'Not imported — runs[0].result.backend: Invalid input: expected object, received undefined.',
    );
    expect(() => parseRunsExport(edited((r) => delete r.result.students[1].size))).toThrow(
      /^Not imported — runs\[0\]\.result\.students\[1\]\.size: /,
    );
    expect(() => parseRunsExport(edited((r) => delete r.result.config))).toThrow(/runs\[0\]\.result\.config/);
    expect(() => parseRunsExport(edited((r) => (r.result.config.teacherEpochs = 0)))).toThrow(
      'Not imported — runs[0].result.config: Teacher epochs must be a whole number from 1 to 1000.',
    );
  });

  it('numbers out of range or not finite are refused: 1e999 (Infinity), 1e308 parameters, a NaN-like string', () => {
    const text = exportRunsJson([run]).replace(/"params": \d+/, '"params": 1e999');
    expect(() => parseRunsExport(text)).toThrow(/runs\[0\]\.result\.teacher\.size\.params: /);
    expect(() => parseRunsExport(edited((r) => (r.result.students[0].size.params = 1e308)))).toThrow(
      /students\[0\]\.size\.params: Too big/,
    );
    expect(() => parseRunsExport(edited((r) => (r.result.teacher.test.accuracy = 'NaN')))).toThrow(
      /teacher\.test\.accuracy: Invalid input: expected number/,
    );
    expect(() => parseRunsExport(edited((r) => (r.result.teacher.fairness.meanAbsDisparity = 7)))).toThrow(
      /teacher\.fairness\.meanAbsDisparity: Too big/,
    );
  });

  it('unknown fields, __proto__ included, are dropped', () => {
    const text = edited((r) => {
      r.result.teacher.injected = '<img src=x onerror=alert(1)>';
    }).replace('"id": "run-1"', '"__proto__": { "polluted": true }, "id": "run-1"');
    const [back] = parseRunsExport(text);
    expect('injected' in back.result.teacher).toBe(false);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(back)).toEqual(['id', 'name', 'createdAt', 'result']);
  });

  it('a run’s notes and tags travel with it; too long or too many are refused on import, cleaned when stored', () => {
    const [back] = parseRunsExport(
      edited((r) => {
        r.notes = 'lr too high\nrerun with 0.003';
        r.tags = ['pilot', 'lab'];
      }),
    );
    expect([back.notes, back.tags]).toEqual(['lr too high\nrerun with 0.003', ['pilot', 'lab']]);
    expect(() => parseRunsExport(edited((r) => (r.notes = 'x'.repeat(MAX_NOTES + 1))))).toThrow(/notes/);
    expect(() =>
      parseRunsExport(edited((r) => (r.tags = Array.from({ length: MAX_TAGS + 1 }, (_, i) => `t${i}`)))),
    ).toThrow(/tags/);
    // What the page sends is trimmed, without empties or repeats (any case), within the limits.
    expect(cleanAnnotation('  a note  ', [' pilot', 'Pilot', '', 'final '])).toEqual({
      notes: 'a note',
      tags: ['pilot', 'final'],
    });
    expect(
      cleanAnnotation(
        '',
        Array.from({ length: 40 }, (_, i) => `t${i}`),
      ).tags,
    ).toHaveLength(MAX_TAGS);
  });

  it('a run that could never have been made is refused: impossible dataset settings, a seed the option table refuses, a 10^8-student plan', () => {
    const cases: [(r: Json) => void, string | RegExp][] = [
      [(r) => (r.result.config.dataset.classes = 100_000), 'Classes must be a whole number from 2 to'],
      [(r) => (r.result.config.dataset.examples = 2e9), /dataset\.examples: Too big/],
      [(r) => (r.result.config.dataset.labelNoise = -3), 'Label noise must be at least 0 and below 0.5.'],
      [(r) => (r.result.config.seed = 4_294_967_296), /runs\[0\]\.result\.config\.seed: Too big/],
      [
        (r) => {
          const values = Array.from({ length: 1000 }, (_, i) => 1 + i / 100);
          r.result.config.methods = [{ id: 'dkd' }];
          r.result.config.lambdas = Array.from({ length: 100 }, (_, i) => i);
          r.result.config.sweeps = [
            { method: 'dkd', param: 'alpha', values },
            { method: 'dkd', param: 'beta', values },
          ];
        },
        'The plan holds 100,000,001 students',
      ],
    ];
    for (const [change, message] of cases) {
      const started = performance.now();
      expect(() => parseRunsExport(edited(change))).toThrow(message);
      expect(performance.now() - started).toBeLessThan(5000); // refused from the lists, never built
    }
  });

  it('a dataset config keeps only its own fields: a 10 MB extra field is dropped, not made a storage key', () => {
    const [back] = parseRunsExport(edited((r) => (r.result.config.dataset.junk = 'x'.repeat(10_000_000))));
    expect('junk' in back.result.config.dataset).toBe(false);
    expect(Object.keys(back.result.config.dataset).sort()).toEqual(Object.keys(run.result.config.dataset).sort());
  });

  it('refuses a run over the size limit, and files that are not runs exports', () => {
    const huge = edited((r) => {
      r.result.teacher.curve = Array.from({ length: 400_000 }, (_, i) => ({
        step: i,
        epoch: 1,
        terms: { CE: 1.2345 },
      }));
    });
    expect(huge.length).toBeGreaterThan(MAX_RUN_BYTES);
    expect(() => parseRunsExport(huge)).toThrow(/runs\[0\] is \d+ MiB; one run of up to 16 MiB can be imported/);
    expect(() => parseRunsExport('')).toThrow(/not JSON/);
    expect(() => parseRunsExport('{"a":1}')).toThrow(/not a FairDistill Lab runs export/);
    expect(() => parseRunsExport('{"format":"fairdistill-lab-runs","version":9,"runs":[]}')).toThrow(
      /Not imported — version: /,
    );
  });

  it('imported runs get fresh ids that match no stored run and own no model', () => {
    const hostile = { ...run, id: 'fairdistill' };
    const [a, b] = importedRuns([hostile, run]);
    expect(a.id).toMatch(/^imported-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(a.id).not.toBe(b.id);
    expect(a.ownedModels).toEqual([]);
    // Whole-key ownership: the stored run-1's model keys are not any imported run's.
    expect(savedModelKey(a.id, 'Teacher')).not.toBe(savedModelKey('run-1', 'Teacher'));
  });
});
