import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';

/**
 * A dispatch the lab encodes itself into tfjs-backend-webgpu's command stream, for a program that
 * tfjs's runWebGPUProgram cannot express: one that writes several tensors in place (tfjs binds one
 * output, read-write, and every input read-only). It goes where tfjs's next dispatch would — the same
 * command encoder and compute pass, in order — and follows tfjs's bookkeeping: the buffers' tensors
 * are marked as used by the queue (so a tensor disposed before the submit keeps its buffer until
 * then), and the pass is submitted after WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE dispatches as tfjs does.
 */

/** What of tfjs-backend-webgpu 4.22's backend this uses (its fields are not in its typings). */
export interface BackendInternals {
  device: GPUDevice;
  tensorMap: { get(dataId: object): { resource: unknown; values: unknown; refCount: number } };
  commandQueueOwnedIds: WeakSet<object>;
  commandEncoder: GPUCommandEncoder | null;
  computePassEncoder: GPUComputePassEncoder | null;
  dispatchCountInPass: number;
  activeTimers: unknown;
  uploadToGPU(dataId: object): void;
  makeUniforms(u: { type: string; data: number[] }[]): GPUBufferBinding;
  ensureCommandEncoderReady(): void;
  endComputePassEncoder(): void;
  submitQueue(): void;
}

export const internals = (b: WebGPUBackend) => b as unknown as BackendInternals;

/** Listens to the lab's own dispatches (webgpuWork.recordStep counts them with tfjs's). */
let listener: ((name: string) => void) | null = null;
export function onRawDispatch(l: ((name: string) => void) | null): void {
  listener = l;
}

/** The most workgroups a dispatch's x may have (WebGPU's default limit); more go along y. */
const MAX_X = 65535;

/** Workgroups for `groups` of them: [x, y] within the limit; the shader's index is (y·nx + x)·size + local. */
export function grid(groups: number): [number, number] {
  return groups <= MAX_X ? [Math.max(1, groups), 1] : [MAX_X, Math.ceil(groups / MAX_X)];
}

export function encodeDispatch(
  backend: WebGPUBackend,
  name: string,
  pipeline: GPUComputePipeline,
  buffers: GPUBindingResource[],
  tensors: tf.TensorInfo[],
  workgroups: [number, number],
): void {
  const b = internals(backend);
  const bindGroup = b.device.createBindGroup({
    layout: pipeline.getBindGroupLayout(0),
    entries: buffers.map((resource, binding) => ({ binding, resource })),
  });
  for (const t of tensors) b.commandQueueOwnedIds.add(t.dataId);
  b.ensureCommandEncoderReady();
  b.computePassEncoder ??= b.commandEncoder!.beginComputePass({});
  b.computePassEncoder.setPipeline(pipeline);
  b.computePassEncoder.setBindGroup(0, bindGroup);
  b.computePassEncoder.dispatchWorkgroups(workgroups[0], workgroups[1]);
  b.dispatchCountInPass++;
  listener?.(name);
  if ((tf.env().get('WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE') as number) <= b.dispatchCountInPass) {
    b.endComputePassEncoder();
    b.submitQueue();
  }
}
