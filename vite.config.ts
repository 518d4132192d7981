import { defineConfig, type Plugin } from 'vite';
import { availableParallelism } from 'node:os';
import { configDefaults } from 'vitest/config';
import react from '@vitejs/plugin-react';
import { wasmThreadFactory } from './src/build/wasmThreadFactory.ts';

/**
 * The built app's Content-Security-Policy: scripts and workers only from this origin, no inline
 * script, no eval — 'wasm-unsafe-eval' is what compiling the tfjs wasm backend needs, and blob:
 * scripts are the threaded wasm build's pthread workers loading its factory (made by the page's own
 * code; nothing from elsewhere). Inline
 * styles stay allowed (plotly positions its SVG with style attributes). Nothing may connect
 * anywhere but this origin. Build only: the dev server injects an inline React-refresh script.
 */
export const CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval' blob:",
  "worker-src 'self' blob:",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' blob: data:",
  "font-src 'self'",
  "connect-src 'self' blob: data:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

function contentSecurityPolicy(): Plugin {
  return {
    name: 'fairdistill-csp',
    apply: 'build',
    transformIndexHtml: () => [
      { tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: CSP }, injectTo: 'head-prepend' },
    ],
  };
}

/** frame-ancestors is ignored in a meta tag: the served header adds it (the lab is never framed). */
export const CSP_HEADER = `${CSP}; frame-ancestors 'none'`;

// Cross-origin isolation lets the wasm backend use threads (SharedArrayBuffer); set on every server,
// with the headers that keep the page from being framed, sniffed or leaking where it was opened from.
export const SERVED_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

/**
 * Unit-test files that start processes, browsers, clusters or bundles, or train for seconds: the inner
 * loop (npm run test:quick) leaves them to npm test. Chosen from docs/test-times.md (each ≥ 2 s there).
 */
const SLOW_TESTS = [
  'src/build/bundle.test.ts',
  'src/cli/{clusterSlurm,clusterSsh,stopSignals,sweepShards,dataSweep,dataCache,folderData,pretrainedRun,runnerOutputs,predict,decodeImage}.test.ts',
  'src/engine/kernels/{kernelThreads,fusedOps,convGradKernels}.test.ts',
  'src/engine/kernels/webgpu/*.test.ts',
  'src/engine/run/{resilientRun,experiment,runSnapshot}.test.ts',
  'src/engine/weights/torchvisionWeights.test.ts',
  'src/engine/data/augment.test.ts',
  'src/worker/datasetLoader.test.ts',
];
/** The files that need a process of their own (vitest's default): the slow ones and threaded wasm. */
const OWN_PROCESS = [...SLOW_TESTS, 'src/cli/wasmThreadsNode.test.ts'];

export default defineConfig({
  plugins: [react(), contentSecurityPolicy(), wasmThreadFactory()],
  // The dev server injects an inline React-refresh script, so its CSP header holds frame-ancestors only.
  server: { headers: { ...SERVED_HEADERS, 'Content-Security-Policy': "frame-ancestors 'none'" } },
  // The header (not only the page's meta tag) also binds the engine worker, whose script it serves.
  preview: { headers: { ...SERVED_HEADERS, 'Content-Security-Policy': CSP_HEADER } },
  worker: { format: 'es', plugins: () => [wasmThreadFactory()] },
  build: {
    target: 'es2022',
    chunkSizeWarningLimit: 6000,
    // Rolldown warns with a plugin profile when a build takes a few seconds — as it does beside the tests
    // in npm test, where the warning says nothing about the app.
    rolldownOptions: { checks: { bundlerTimings: false } },
  },
  test: {
    // Every run writes each file's and test's time, which src/build/testTimes.ts turns into docs/test-times.md.
    reporters: ['default', ['json', { outputFile: 'test-results/vitest.json' }]],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Once per run: the runner bundled for the tests that start it, a folder for results files share.
    globalSetup: ['src/build/testRunSetup.ts'],
    // vitest's default is one fork fewer than the cores: one fork on a 2-core machine, where most files
    // wait on the processes they start (docs/test-times.md) and a second fork keeps the other core busy.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    projects: [
      {
        // Each file in a fresh process: the slow files (backends, kernels, threads and the processes they
        // start set state for the whole process) and the threaded-wasm one.
        extends: true,
        test: {
          name: 'own-process',
          include: OWN_PROCESS,
          // npm run test:quick leaves out the files that take seconds to minutes each (docs/test-times.md).
          exclude: [...configDefaults.exclude, ...(process.env.FAIRDISTILL_QUICK ? SLOW_TESTS : [])],
        },
      },
      {
        // The rest share their fork's process, one file after another: each fresh process spent about a
        // second importing tfjs and the lab again (60 files: 50 CPU-s, 26 shared).
        extends: true,
        test: {
          name: 'shared',
          include: ['src/**/*.test.ts'],
          exclude: [...configDefaults.exclude, ...OWN_PROCESS],
          isolate: false,
        },
      },
    ],
  },
});
