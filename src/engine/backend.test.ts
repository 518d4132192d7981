import { describe, expect, it } from 'vitest';
import { defaultWasmThreads } from './backend';

describe('wasm threads', () => {
  it('half the logical cores, at most 4, and one (the single-threaded build) below 4 cores', () => {
    expect([1, 2, 3, 4, 6, 8, 16, 64].map(defaultWasmThreads)).toEqual([1, 1, 1, 2, 3, 4, 4, 4]);
  });
});
