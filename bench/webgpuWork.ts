import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { useWebgpuGradKernels, type WebgpuGradKernels } from '../src/engine/kernels/webgpu/convGradWebgpu';
import { recordStep, summarise, type WorkSummary } from '../src/engine/kernels/webgpu/webgpuWork';
import { EXPERIMENT_PRESETS, type PresetName } from '../src/engine/presets';
import { modelTraining } from './workloads';

/**
 * `webgpuWork`: what one training step of each preset model asks of a GPU, with tfjs's gradient
 * kernels and with the lab's own, counted on whatever WebGPU adapter Node has (SwiftShader here: the
 * counts depend on the shapes, not the device), with the programs' bodies emptied (recordStep's dry
 * run: the same dispatches, submits and reads back, not the values). The step is the teacher's (cross-entropy, Adam) at the
 * preset's image size, classes and batch; a student's distillation step runs the same gradient kernels.
 */

export interface WebgpuWorkRow extends WorkSummary {
  model: string;
  kernels: WebgpuGradKernels;
  batch: number;
  /** The step's host time on Dawn's null adapter, median (bench/webgpuHost.ts; at hostBatch). */
  hostMsPerStep?: number;
  hostUsPerDispatch?: number;
  /** The median over paired rounds of tfjs's step over this one's, on the null adapter. */
  hostRatioToTfjs?: number;
  hostBatch?: number;
}

export function presetModels(): { preset: PresetName; model: string }[] {
  return [
    ...(Object.keys(EXPERIMENT_PRESETS) as PresetName[]).flatMap((preset) => [
      { preset, model: EXPERIMENT_PRESETS[preset].teacherModel },
      { preset, model: EXPERIMENT_PRESETS[preset].studentModel },
    ]),
    // torchvision's B0, the study's student, at the lab preset's 32 px and batch: a step's dispatches
    // and submits are counted per op, so they are those of a 224-px step too (its buffers are not).
    { preset: 'lab', model: 'efficientnet-b0' },
  ];
}

export async function webgpuWork(
  models = presetModels(),
  log: (s: string) => void = () => {},
): Promise<WebgpuWorkRow[]> {
  if (tf.getBackend() !== 'webgpu') throw new Error('webgpuWork runs on the webgpu backend');
  const rows: WebgpuWorkRow[] = [];
  for (const { preset, model } of models) {
    for (const kernels of ['tfjs', 'gradients', 'own'] as const) {
      useWebgpuGradKernels(kernels);
      const t = modelTraining(preset, model);
      const backend = tf.backend() as unknown as WebGPUBackend;
      // A first step (Adam creates its slots), then the counted one, which every later step is like —
      // as the lab's loop records it: its loss left on the GPU (read every 16 steps, not waited for),
      // read here only once the step is counted.
      await recordStep(backend, t.step, { dry: true });
      let kept: tf.Tensor | undefined;
      const record = await recordStep(
        backend,
        async () => {
          kept = t.stepKept();
          await Promise.resolve();
        },
        { dry: true },
      );
      await kept!.data();
      kept!.dispose();
      t.dispose();
      rows.push({ model: `${preset}/${model}`, kernels, batch: t.batch, ...summarise(record) });
      log(`webgpu work ${preset}/${model} ${kernels} counted`);
    }
  }
  useWebgpuGradKernels('own');
  return rows;
}
