import type { Plugin } from 'vite';

/**
 * Lets the bundled app run tfjs's threaded wasm build. tfjs starts each pthread worker from
 * `factory.toString()` in a Blob, so the factory's source must stand on its own; after bundling and
 * minification it refers to names of the surrounding module ("e is not defined" in the worker). This
 * plugin keeps the factory's original source next to it, before any minifier sees it, and makes
 * toString() return that. Dev servers pre-bundle without minifying and need nothing.
 */

const FILE = /tfjs-backend-wasm-threaded-simd\.js$/;
const OPEN = 'function(WasmBackendModuleThreadedSimd) {';
const CLOSE = '\n  return WasmBackendModuleThreadedSimd.ready\n}';

/** The factory's source text inside the Emscripten module, or null when the file is not the expected shape. */
export function factorySource(code: string): string | null {
  const start = code.indexOf(OPEN);
  const end = code.indexOf(CLOSE, start);
  if (start < 0 || end < 0) return null;
  return code.slice(start, end + CLOSE.length);
}

export function withStandaloneFactory(code: string): string | null {
  const source = factorySource(code);
  const iife = code.indexOf('})();', code.indexOf(CLOSE));
  if (!source || iife < 0) return null;
  const at = iife + '})();'.length;
  return `${code.slice(0, at)}\nWasmBackendModuleThreadedSimd.toString = function () { return ${JSON.stringify(source)}; };${code.slice(at)}`;
}

export function wasmThreadFactory(): Plugin {
  return {
    name: 'fairdistill-wasm-thread-factory',
    enforce: 'pre',
    apply: 'build',
    transform(code, id) {
      if (!FILE.test(id.split('?')[0])) return null;
      const out = withStandaloneFactory(code);
      if (!out)
        this.error(
          'tfjs-backend-wasm-threaded-simd.js has an unexpected shape: the threaded wasm build cannot be prepared for bundling.',
        );
      return { code: out, map: null };
    },
  };
}
