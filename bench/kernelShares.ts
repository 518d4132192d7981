/**
 * Each kernel's share of a training step on the Node wasm backend, in a process of its
 * own so that the kernels' choice holds for the whole run: `--simd off` is the engine before its own
 * SIMD kernels (XNNPACK compositions and JavaScript loops), `simd` and `relaxed` its two builds, and
 * `relaxed+fused` the relaxed build with the fused element-wise ops (swish, batch norm, SE scaling, Adam).
 * bench/bench.ts runs it once per choice and reads the JSON it prints.
 *   tsx bench/kernelShares.ts --simd relaxed --threads 1 --steps 3 --workloads reference,teacher-lab,distill-lab
 */
import { selectBackend } from '../src/engine/backend';
import { useSimdKernels, type SimdChoice } from '../src/engine/kernels/convGradSimd';
import { useFusedOps } from '../src/engine/kernels/fusedKernels';
import { enableRelaxedSimd } from '../src/cli/relaxedSimdNode';
import { prepareNodeWasmThreads } from '../src/cli/wasmThreadsNode';
import type { PresetName } from '../src/engine/presets';
import { profileStep, type KernelShareRun, type StepProfile } from './kernelProfile';
import { buildReferenceCnn, REFERENCE_CNN } from './referenceCnn';
import { distillTraining, teacherTraining } from './workloads';
import { kernelRates } from './kernelRates';

const args = process.argv.slice(2);
const arg = (name: string) => args[args.indexOf(`--${name}`) + 1];
// A build alone ('relaxed', 'simd', 'off') is the engine before the fused ops; '+fused' adds them.
const simd = arg('simd') as KernelShareRun['simd'];
const [build, fused] = simd.split('+') as [SimdChoice, string | undefined];
const steps = Number(arg('steps'));
enableRelaxedSimd();
useSimdKernels(build);
useFusedOps(fused === 'fused');
const threads = Number(arg('threads'));
const report = await selectBackend({ forced: 'wasm', wasmThreads: threads, nodeWasmThreads: prepareNodeWasmThreads });
// The kernels' own workers start on their own time; the warm-up step must not run without them.
await new Promise((r) => setTimeout(r, 500));
const rows: (StepProfile & { imagesPerSecond: number })[] = [];
for (const w of arg('workloads').split(',')) {
  const t =
    w === 'reference'
      ? (() => {
          const net = buildReferenceCnn();
          return { batch: REFERENCE_CNN.batch, step: () => net.step(), dispose: () => net.dispose() };
        })()
      : w.startsWith('distill-')
        ? distillTraining(w.slice('distill-'.length) as PresetName)
        : teacherTraining(w.slice('teacher-'.length) as PresetName);
  const p = await profileStep(w, steps, t.step);
  t.dispose();
  rows.push({ ...p, imagesPerSecond: (1000 * t.batch) / p.msPerStep });
}
const run: KernelShareRun = {
  simd,
  // The kernels alone, best of 5 calls, where nothing else shares their thread count.
  ...(threads === 1 ? { rates: kernelRates() } : {}),
  threads: report.threads ?? 1,
  kernels: report.kernels,
  kernelThreads: report.kernelThreads,
  rows,
};
console.log(JSON.stringify(run));
