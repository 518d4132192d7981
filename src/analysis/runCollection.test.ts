import { describe, expect, it } from 'vitest';
import type { StoredRun } from '../engine/types';
import { findRuns, parseTags } from './runCollection';

const run = (id: string, name: string, createdAt: string, extra: Partial<StoredRun> = {}, acc = 0.5, seed = 0) =>
  ({
    id,
    name,
    createdAt,
    result: {
      config: { name: 'Quick story', seed, methods: [{ id: 'kd' }], dataset: { kind: 'synthetic' } },
      teacher: { test: { accuracy: acc } },
      students: [{ label: 'CKD λ=1' }],
      backend: { name: 'wasm' },
    },
    ...extra,
  }) as unknown as StoredRun;

const runs = [
  run('a', 'Quick · CKD · seed 0', '2026-12-07T01:00:00Z', { tags: ['pilot'], notes: 'first try, lr too high' }, 0.6),
  run('b', 'Lab · RKD · seed 1', '2026-12-07T02:00:00Z', { tags: ['final'] }, 0.8, 1),
  run('c', 'Tiny · KD', '2026-12-06T23:00:00Z', {}, 0.7, 2),
];

describe('stored runs as a collection', () => {
  it('finds runs by every word of a query: name, notes, tags (#tag), seed, method', () => {
    expect(findRuns(runs, '').map((r) => r.id)).toEqual(['b', 'a', 'c']); // newest first
    expect(findRuns(runs, 'pilot').map((r) => r.id)).toEqual(['a']);
    expect(findRuns(runs, '#final').map((r) => r.id)).toEqual(['b']);
    expect(findRuns(runs, 'LR TOO').map((r) => r.id)).toEqual(['a']); // notes, any case
    expect(findRuns(runs, 'seed 2').map((r) => r.id)).toEqual(['c']);
    // "seed 1" is the run's seed, not a 1 anywhere (the names carry dates and λ = 1).
    expect(findRuns(runs, 'seed 1').map((r) => r.id)).toEqual(['b']);
    expect(findRuns(runs, '"first try"').map((r) => r.id)).toEqual(['a']);
    expect(findRuns(runs, '"try first"')).toEqual([]); // a quoted phrase is found whole
    expect(findRuns(runs, 'quick pilot').map((r) => r.id)).toEqual(['a']);
    expect(findRuns(runs, 'tiny final')).toEqual([]); // every word must be found
    expect(findRuns(runs, '#lr')).toEqual([]); // a #word only among the tags
  });

  it('orders them newest, oldest, by name or by the teacher’s accuracy', () => {
    expect(findRuns(runs, '', 'oldest').map((r) => r.id)).toEqual(['c', 'a', 'b']);
    expect(findRuns(runs, '', 'name').map((r) => r.id)).toEqual(['b', 'a', 'c']);
    expect(findRuns(runs, '', 'teacher-accuracy').map((r) => r.id)).toEqual(['b', 'c', 'a']);
  });

  it('reads tags typed as a list', () => {
    expect(parseTags(' pilot, #final ,, lr=0.1 ')).toEqual(['pilot', 'final', 'lr=0.1']);
  });
});
