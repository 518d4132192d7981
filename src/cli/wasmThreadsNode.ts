import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { Worker } from 'node:worker_threads';
import { factorySource } from '../build/wasmThreadFactory';
import { setKernelWorkerSpawner } from '../engine/kernels/convGradSimd';

/**
 * Node: the wasm backend on several threads. tfjs 4.22 turns its threaded build off in Node
 * (tfjs#3830): Emscripten's pthread workers would load their script and the module factory from
 * blob: URLs, which Node's worker_threads cannot open. Here both go to files instead — the worker
 * script (as tfjs would put it in the Blob) and the factory's own source — and URL.createObjectURL
 * hands out their paths while the backend starts. tfjs also caps threads at half of os.cpus()
 * (two hyperthreads per core), so the count it reads is raised to match what was asked, just as
 * long as the backend takes to start. Call before tf.setBackend('wasm').
 */
export async function prepareNodeWasmThreads(threads: number): Promise<() => void> {
  const require = createRequire(import.meta.url);
  const dir = mkdtempSync(join(os.tmpdir(), 'fairdistill-wasm-threads-'));
  const factoryFile = join(dir, 'factory.js');
  const source = factorySource(
    readFileSync(require.resolve('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js'), 'utf8'),
  );
  if (!source) throw new Error('tfjs-backend-wasm-threaded-simd.js has an unexpected shape');
  writeFileSync(factoryFile, `var WasmBackendModuleThreadedSimd = ${source};`);
  // tfjs escapes newlines before making its Blob (they sit inside string literals of the script).
  const workerScript = (
    require('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js') as {
      wasmWorkerContents: string;
    }
  ).wasmWorkerContents.replace(/\n/g, '\\n');
  const workerFile = join(dir, 'worker.js');
  // In the worker, the factory Blob it is sent resolves to the factory file.
  writeFileSync(workerFile, `URL.createObjectURL = () => ${JSON.stringify(factoryFile)};\n${workerScript}`);
  const workerBytes = Buffer.byteLength(workerScript);

  // The original itself is put back when the backend has started (a bound copy would be another function).
  const original = Object.getOwnPropertyDescriptor(URL, 'createObjectURL')!;
  const createObjectURL = (original.value as typeof URL.createObjectURL).bind(URL);
  const cpus = os.cpus;
  URL.createObjectURL = (blob: Blob) => (blob.size === workerBytes ? workerFile : createObjectURL(blob));
  os.cpus = () => Array.from({ length: 2 * threads }, () => cpus()[0]);
  // The SIMD kernels' own threads (src/engine/kernels/simd/kernelThreads.ts); unref'd like tfjs's.
  setKernelWorkerSpawner((source) => {
    const w = new Worker(source, { eval: true });
    w.unref();
    return w;
  });
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  wasm.setThreadsCount(threads);
  return () => {
    Object.defineProperty(URL, 'createObjectURL', original);
    os.cpus = cpus;
    // Idle pthread workers must not keep the process alive once its own work is done.
    const pthreads = (
      tf.findBackend('wasm') as unknown as {
        wasm?: { PThread?: { unusedWorkers: { unref?(): void }[]; runningWorkers: { unref?(): void }[] } };
      } | null
    )?.wasm?.PThread;
    for (const w of [...(pthreads?.unusedWorkers ?? []), ...(pthreads?.runningWorkers ?? [])]) w.unref?.();
  };
}
