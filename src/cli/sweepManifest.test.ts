import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planRuns } from '../engine/plan';
import { EXPERIMENT_PRESETS, methodChoice } from '../engine/presets';
import {
  cellConfig,
  parseShard,
  planSweep,
  readManifest,
  shardCells,
  teacherKey,
  writeManifest,
} from './sweepManifest';

const config = {
  ...EXPERIMENT_PRESETS.tiny,
  methods: [methodChoice('tiny', 'kd'), methodChoice('tiny', 'rkd')],
  lambdas: [0, 1],
};

describe('sweep manifest', () => {
  it('one cell per seed × (baseline, method × λ), seed-major, each with the settings that train it alone', () => {
    const m = planSweep(config, [0, 1], 'data-key');
    expect(m.cells.map((c) => `${c.seed}:${c.label}`)).toEqual(
      [0, 1].flatMap((s) => ['Labels only', 'CKD λ=0', 'CKD λ=1', 'RKD λ=0', 'RKD λ=1'].map((l) => `${s}:${l}`)),
    );
    expect(m.cells.map((c) => c.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const c = cellConfig(m, m.cells[8]);
    expect([c.seed, c.baseline, c.lambdas, c.methods.map((x) => x.id)]).toEqual([1, false, [0], ['rkd']]);
    expect(cellConfig(m, m.cells[5]).methods).toEqual([]);
    expect(cellConfig(m, m.cells[5]).baseline).toBe(true);
  });

  it('a hyper-parameter sweep: each cell trains its own value alone, under its own label', () => {
    const swept = {
      ...config,
      methods: [methodChoice('tiny', 'kd')],
      lambdas: [0],
      baseline: false,
      sweeps: [{ method: 'kd' as const, param: 'T', values: [1, 2, 4] }],
    };
    const m = planSweep(swept, [0], 'k');
    expect(m.cells.map((c) => c.label)).toEqual(['CKD T=1 λ=0', 'CKD T=2 λ=0', 'CKD T=4 λ=0']);
    for (const cell of m.cells) {
      const runs = planRuns(cellConfig(m, cell));
      // One student, this cell's: its label and its temperature (a whole sweep per cell trained every T
      // and filed the first under each cell's label).
      expect(runs.map((r) => [r.label, r.params.temperature])).toEqual([[cell.label, cell.params.temperature]]);
    }
  });

  it('the hash follows the content, not the order keys were written in; teachers are shared across students', () => {
    const a = planSweep(config, [0, 1], 'k');
    const reordered = Object.fromEntries(Object.entries(config).reverse()) as typeof config;
    expect(planSweep(reordered, [0, 1], 'k').hash).toBe(a.hash);
    expect(planSweep({ ...config, studentEpochs: 6 }, [0, 1], 'k').hash).not.toBe(a.hash);
    expect(planSweep(config, [0, 2], 'k').hash).not.toBe(a.hash);
    expect(planSweep(config, [0, 1], 'other data').hash).not.toBe(a.hash);
    // A teacher does not depend on the students: another λ list keeps it, another teacher setting does not.
    expect(teacherKey(planSweep({ ...config, lambdas: [0, 4] }, [0], 'k'), 0)).toBe(teacherKey(a, 0));
    expect(teacherKey(planSweep({ ...config, teacherEpochs: 3 }, [0], 'k'), 0)).not.toBe(teacherKey(a, 0));
    expect(teacherKey(a, 1)).not.toBe(teacherKey(a, 0));
  });

  it('n shards take every cell exactly once, in contiguous runs of nearly equal length', () => {
    const m = planSweep(config, [0, 1, 2], 'k'); // 15 cells
    for (let n = 1; n <= 16; n++) {
      const parts = Array.from({ length: n }, (_, i) => shardCells(m, i, n).map((c) => c.index));
      expect(parts.flat()).toEqual(m.cells.map((c) => c.index));
      const sizes = parts.map((p) => p.length);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    }
  });

  it('the shard index comes from the command line or the job runner', () => {
    expect(parseShard('2/3', {})).toEqual({ index: 2, count: 3 });
    expect(parseShard('auto/4', { JOB_COMPLETION_INDEX: '3' })).toEqual({ index: 3, count: 4 });
    expect(parseShard('auto/4', { SLURM_ARRAY_TASK_ID: '5', SLURM_ARRAY_TASK_MIN: '4' })).toEqual({
      index: 1,
      count: 4,
    });
    expect(parseShard('auto', { SLURM_ARRAY_TASK_ID: '0', SLURM_ARRAY_TASK_COUNT: '8' })).toEqual({
      index: 0,
      count: 8,
    });
    expect(() => parseShard('3/3', {})).toThrow('0 ≤ i < n');
    expect(() => parseShard('1', {})).toThrow('must be i/n');
    expect(() => parseShard('auto/2', {})).toThrow('neither JOB_COMPLETION_INDEX');
    expect(() => parseShard('auto', { JOB_COMPLETION_INDEX: '0' })).toThrow('must be i/n');
  });

  it('an edited manifest is refused', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'fdl-manifest-')), 'manifest.json');
    writeManifest(path, planSweep(config, [0], 'k'));
    expect(readManifest(path).cells).toHaveLength(5);
    writeFileSync(path, readFileSync(path, 'utf8').replace('"lambda": 1', '"lambda": 2'));
    expect(() => readManifest(path)).toThrow('was changed after it was written');
  });

  it('a manifest with wrong field types or an impossible plan is refused by its field before its hash', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'fdl-manifest-')), 'manifest.json');
    const good = planSweep(config, [0, 1], 'k');
    const values = Array.from({ length: 1000 }, (_, i) => 1 + i / 100);
    const cases: [Record<string, unknown>, string][] = [
      [{ seeds: '0,1' }, 'seeds: '],
      [{ seeds: [0, 0] }, 'seeds: a seed listed twice'],
      [{ cells: good.cells.map((c, i) => (i === 3 ? { ...c, lambda: '1' } : c)) }, 'cells[3].lambda: '],
      [{ cells: good.cells.map((c, i) => (i === 2 ? { ...c, index: 7 } : c)) }, 'cells: not numbered in order'],
      [
        { config: { ...good.config, sweeps: [{ method: 'kd', param: 'T', values }] } },
        'The plan holds 2,003 students a seed × 2 seeds = 4,006',
      ],
    ];
    for (const [edit, field] of cases) {
      writeFileSync(path, JSON.stringify({ ...good, ...edit }));
      expect(() => readManifest(path), field).toThrow(`The sweep manifest ${path} is damaged or was edited (${field}`);
    }
  });
});
