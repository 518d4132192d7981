import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXPERIMENT_PRESETS } from '../engine/presets';
import { readCheckpoint, removeCheckpoint, writeCheckpoint, type RunnerCheckpoint } from './checkpointFile';

describe('headless runner checkpoint file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fairdistill-ckpt-'));
  const config = EXPERIMENT_PRESETS.tiny;

  it('round-trips typed arrays and refuses a checkpoint of other settings or another file', () => {
    const path = join(dir, 'run.ckpt');
    expect(readCheckpoint(path, config, [0, 1])).toBeNull();
    const state: RunnerCheckpoint = {
      version: 1,
      config,
      seeds: [0, 1],
      finished: [],
      current: {
        seed: 0,
        snapshot: {
          label: 'Teacher',
          epoch: 2,
          epochs: 8,
          model: [{ name: 'w', shape: [3], dtype: 'float32', data: new Float32Array([0.5, -1, 2]) }],
          optimizer: { kind: 'adam', iterations: 30, accBeta1: 0.04, accBeta2: 0.97, slots: [] },
          method: [],
          best: null,
          curve: [{ step: 1, epoch: 1, terms: { CE: 1.25 } }],
          valAccuracy: [0.5, 0.625],
          trainSeconds: 3,
        },
      },
    };
    writeCheckpoint(path, state);
    const back = readCheckpoint(path, config, [0, 1])!;
    expect(back.current!.snapshot!.model[0].data).toBeInstanceOf(Float32Array);
    expect(Array.from(back.current!.snapshot!.model[0].data)).toEqual([0.5, -1, 2]);
    expect(back.current!.snapshot!.curve).toEqual(state.current!.snapshot!.curve);
    expect(() => readCheckpoint(path, config, [0, 1, 2])).toThrow(/was written with other settings/);
    expect(() => readCheckpoint(path, { ...config, lambdas: [0, 2] }, [0, 1])).toThrow(
      /was written with other settings/,
    );
    writeFileSync(path, JSON.stringify({ hello: 1 }));
    expect(() => readCheckpoint(path, config, [0, 1])).toThrow(/cannot be read|is not a checkpoint of this runner/);
    removeCheckpoint(path);
    expect(readCheckpoint(path, config, [0, 1])).toBeNull();
  });

  it('a well-formed file with wrong field types is refused with the file, the field and the remedy, before training', () => {
    const path = join(dir, 'edited.ckpt');
    const result = {
      config: { ...config, seed: 0 },
      teacher: { label: 'Teacher', testPredictions: [0, 1] },
      students: [{ label: 'CKD λ=0' }],
      startedAt: '2026-12-06T10:00:00.000Z',
      seconds: 12,
    };
    const good = { version: 1, config, seeds: [0, 1], finished: [result] } as unknown as RunnerCheckpoint;
    writeCheckpoint(path, good);
    expect(readCheckpoint(path, config, [0, 1])!.finished).toHaveLength(1);
    const cases: [Record<string, unknown>, string][] = [
      [{ seeds: 'x' }, 'seeds: '],
      [{ finished: {} }, 'finished: '],
      [{ finished: [{ ...result, students: 7 }] }, 'finished[0].students: '],
      [{ finished: [{ ...result, startedAt: 'yesterday' }] }, 'finished[0].startedAt: not a date'],
      [{ seeds: [0], finished: [result, result] }, 'finished: 2 seeds done of the 1 it lists'],
      [{ finished: [{ ...result, config: { ...config, seed: 5 } }] }, 'finished[0] is seed 5, not seed 0'],
      [{ current: { seed: 0 } }, 'current: seed 0, where the next seed is 1'],
      [
        {
          current: {
            seed: 1,
            snapshot: {
              label: 'Teacher',
              epoch: 1,
              epochs: 2,
              model: [{ name: 'w', shape: [1], dtype: 'float32', data: [1] }],
              curve: [],
            },
          },
        },
        'current.snapshot.model[0].data: not a typed array',
      ],
    ];
    for (const [edit, field] of cases) {
      writeCheckpoint(path, { ...good, ...edit } as RunnerCheckpoint);
      expect(() => readCheckpoint(path, config, [0, 1]), field).toThrow(
        `The checkpoint ${path} is damaged or was edited (${field}`,
      );
      expect(() => readCheckpoint(path, config, [0, 1]), field).toThrow(
        'nothing was trained. Move it away to start over.',
      );
    }
  });
});
