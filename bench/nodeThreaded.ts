/**
 * The Node wasm workloads on tfjs's threaded build, in a process of their own (a process starts the
 * wasm backend once: single- and multi-threaded cannot share one). bench/bench.ts runs it and reads
 * the JSON it prints.   tsx bench/nodeThreaded.ts --threads 2 --steps 3 --workloads reference,distill-tiny
 */
import { selectBackend } from '../src/engine/backend';
import { prepareNodeWasmThreads } from '../src/cli/wasmThreadsNode';
import { enableRelaxedSimd } from '../src/cli/relaxedSimdNode';
import { distillStep, inferenceLatency, referenceStep } from './workloads';

const args = process.argv.slice(2);
const arg = (name: string) => args[args.indexOf(`--${name}`) + 1];
const threads = Number(arg('threads'));
const steps = Number(arg('steps'));
enableRelaxedSimd();
const report = await selectBackend({ forced: 'wasm', wasmThreads: threads, nodeWasmThreads: prepareNodeWasmThreads });
// The SIMD kernels' workers start on their own time: give them it before anything is timed.
await new Promise((r) => setTimeout(r, 500));
const rows: unknown[] = [];
if (report.name === 'wasm') {
  for (const w of arg('workloads').split(',')) {
    if (w === 'reference') rows.push(await referenceStep(steps));
    else if (w.startsWith('distill-')) rows.push(await distillStep(w.slice(8) as 'tiny' | 'lab', steps));
    else rows.push(await inferenceLatency(w.slice(10) as 'tiny' | 'lab', 5));
  }
}
console.log(JSON.stringify({ backend: report.name, threads: report.threads, fallbacks: report.fallbacks, rows }));
