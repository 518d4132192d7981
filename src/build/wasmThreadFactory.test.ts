import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { factorySource, withStandaloneFactory } from './wasmThreadFactory';

const require = createRequire(import.meta.url);
const file = require.resolve('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js');

describe('threaded wasm factory for bundles', () => {
  it("keeps the factory's own source as its toString(), self-contained enough to start a pthread worker", () => {
    const code = readFileSync(file, 'utf8');
    const source = factorySource(code)!;
    expect(source.startsWith('function(WasmBackendModuleThreadedSimd) {')).toBe(true);
    expect(source.endsWith('return WasmBackendModuleThreadedSimd.ready\n}')).toBe(true);
    const transformed = withStandaloneFactory(code)!;
    // Evaluated as the CommonJS module a bundler sees: the export is the factory, its toString() the saved text.
    const module = { exports: {} as unknown };
    new Function('module', 'exports', transformed)(module, module.exports);
    const factory = module.exports as (m?: object) => Promise<unknown>;
    expect(typeof factory).toBe('function');
    expect(factory.toString()).toBe(source);
    // What tfjs puts in the pthread worker's Blob parses on its own and defines the factory.
    const defined = new Function(
      `var WasmBackendModuleThreadedSimd = ${factory.toString()}; return typeof WasmBackendModuleThreadedSimd;`,
    )();
    expect(defined).toBe('function');
    expect(withStandaloneFactory('module.exports = 1;')).toBeNull();
  });
});
