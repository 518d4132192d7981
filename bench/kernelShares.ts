/**
 * Each kernel's share of a training step on the Node wasm backend (one thread), in a process of its
 * own so that the kernels' choice holds for the whole run: `--simd off` is the engine before its own
 * SIMD kernels (XNNPACK compositions and JavaScript loops), `simd` and `relaxed` its two builds.
 * bench/bench.ts runs it once per choice and reads the JSON it prints.
 *   tsx bench/kernelShares.ts --simd relaxed --steps 3 --workloads reference,teacher-lab
 */
import { selectBackend } from '../src/engine/backend';
import { useSimdKernels, type SimdChoice } from '../src/engine/kernels/convGradSimd';
import { enableRelaxedSimd } from '../src/cli/relaxedSimdNode';
import type { PresetName } from '../src/engine/presets';
import { profileStep, type StepProfile } from './kernelProfile';
import { buildReferenceCnn, REFERENCE_CNN } from './referenceCnn';
import { teacherTraining } from './workloads';

const args = process.argv.slice(2);
const arg = (name: string) => args[args.indexOf(`--${name}`) + 1];
const simd = arg('simd') as SimdChoice;
const steps = Number(arg('steps'));
enableRelaxedSimd();
useSimdKernels(simd);
const report = await selectBackend({ forced: 'wasm' });
const rows: (StepProfile & { imagesPerSecond: number })[] = [];
for (const w of arg('workloads').split(',')) {
  const t =
    w === 'reference'
      ? (() => {
          const net = buildReferenceCnn();
          return { batch: REFERENCE_CNN.batch, step: () => net.step(), dispose: () => net.dispose() };
        })()
      : teacherTraining(w.slice('teacher-'.length) as PresetName);
  const p = await profileStep(w, steps, t.step);
  t.dispose();
  rows.push({ ...p, imagesPerSecond: (1000 * t.batch) / p.msPerStep });
}
console.log(JSON.stringify({ simd, kernels: report.kernels, rows }));
