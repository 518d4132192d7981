import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';
import { wasmThreadFactory } from '../src/build/wasmThreadFactory.ts';

// Builds bench/browser into bench/out/web; bench/bench.ts serves it to Chromium itself.
export default defineConfig({
  root: fileURLToPath(new URL('./browser', import.meta.url)),
  base: './',
  logLevel: 'warn',
  plugins: [wasmThreadFactory()],
  worker: { format: 'es', plugins: () => [wasmThreadFactory()] },
  build: {
    outDir: fileURLToPath(new URL('./out/web', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 8000,
  },
});
