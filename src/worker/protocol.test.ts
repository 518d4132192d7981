import { describe, expect, it } from 'vitest';
import { EXPERIMENT_PRESETS } from '../engine/presets';
import { parseToWorker } from './protocol';

describe('worker message boundary', () => {
  it('passes well-formed messages through with only the fields it knows', () => {
    expect(parseToWorker({ type: 'init', backend: 'wasm', threads: 2 })).toEqual({
      type: 'init',
      backend: 'wasm',
      threads: 2,
    });
    expect(parseToWorker({ type: 'init', threads: 99 })).toEqual({
      type: 'init',
      backend: undefined,
      threads: undefined,
    }); // out of range: tfjs's own choice
    expect(parseToWorker({ type: 'init', threads: 1.5 })).toEqual({
      type: 'init',
      backend: undefined,
      threads: undefined,
    });
    expect(parseToWorker({ type: 'cancel', extra: 1 })).toEqual({ type: 'cancel' });
    const config = EXPERIMENT_PRESETS.tiny;
    expect(parseToWorker({ type: 'run', config, runId: 'run-1', resume: true })).toEqual({
      type: 'run',
      config,
      runId: 'run-1',
      resume: true,
    });
    expect(parseToWorker({ type: 'run', config, runId: 7, resume: 'yes' })).toEqual({
      type: 'run',
      config,
      runId: undefined,
      resume: false,
    });
    const image = new Blob([new Uint8Array([1, 2, 3])]);
    const predict = { kind: 'predict', image, name: 'a.png', size: 16, models: [] };
    expect(parseToWorker({ type: 'request', id: 3, op: predict })).toEqual({ type: 'request', id: 3, op: predict });
  });

  it('turns malformed messages into a reason, never a silent drop', () => {
    const reasons = [
      null,
      'run',
      42,
      { type: 'shutdown' },
      { type: 'run' },
      { type: 'run', config: { dataset: {}, methods: 'kd', lambdas: [0] } },
      { type: 'request', op: { kind: 'exportModel', key: 'k' } },
      { type: 'request', id: 1, op: { kind: 'format-disk' } },
      { type: 'request', id: 2, op: { kind: 'predict', image: 'not a blob', size: 16, models: [] } },
      { type: 'request', id: 4, op: { kind: 'importFolder', files: ['a.png'], size: 32 } },
    ].map((m) => {
      const parsed = parseToWorker(m);
      return parsed.type === 'invalid' ? parsed.reason : `accepted: ${JSON.stringify(parsed)}`;
    });
    expect(reasons).toEqual([
      'message is not an object',
      'message is not an object',
      'message is not an object',
      'unknown message type "shutdown"',
      'run message without a complete experiment config',
      'run message without a complete experiment config',
      'request without a numeric id',
      'request 1 with an unknown operation',
      'predict request without an image, a size and models',
      'import request without files and an image size',
    ]);
  });
});
