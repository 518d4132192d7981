import type * as tf from '@tensorflow/tfjs';
import { buildModel, modelPreset } from '../models/efficientnet';
import type { BackendReport, ExperimentConfig } from '../types';

/**
 * The memory a training step will need, estimated from the models' own layer shapes before a run, against
 * what the backend can hold: tfjs-wasm's heap (4 GB at most, shared by everything) and WebGPU's largest
 * buffer (the adapter's maxBufferSize and maxStorageBufferBindingSize; 256 and 128 MiB unless it grants
 * more). A training step keeps every layer's output for the backward pass, which then holds a gradient or
 * two of the largest layer at a time; each trained weight has its gradient and Adam's two moments (4 × the
 * weights). A student's step comes after the teacher's forward pass, whose outputs are freed when it ends.
 * An estimate: tfjs's temporaries come and go around it, so a run near the limit may still fail.
 */

export interface ModelFootprint {
  /** Floats of all layer outputs for one example. */
  activations: number;
  /** Floats of the largest single layer output for one example. */
  largest: number;
  weights: number;
}

export function footprint(model: tf.LayersModel): ModelFootprint {
  let activations = 0;
  let largest = 0;
  for (const layer of model.layers) {
    const shapes = (Array.isArray(layer.outputShape[0]) ? layer.outputShape : [layer.outputShape]) as (
      number | null
    )[][];
    for (const s of shapes) {
      const n = s.slice(1).reduce((a: number, d) => a * (d ?? 1), 1);
      activations += n;
      largest = Math.max(largest, n);
    }
  }
  const weights = model.weights.reduce((a, w) => a + w.shape.reduce((x: number, d) => x * (d ?? 1), 1), 0);
  return { activations, largest, weights };
}

export interface StepMemory {
  /** Bytes of the heavier phase at `batch`: the teacher's training or a student's distillation. */
  bytes: number;
  phase: 'teacher' | 'student';
  /** Bytes of the largest single buffer (one layer's output for the whole batch). */
  largestBuffer: number;
  batch: number;
  teacher: ModelFootprint;
  student: ModelFootprint;
}

export function stepMemory(
  teacher: ModelFootprint,
  student: ModelFootprint,
  batch: number,
  teacherTrains: boolean,
): StepMemory {
  const f = 4; // float32
  const trained = (m: ModelFootprint) => (m.activations + 2 * m.largest) * batch + 4 * m.weights;
  const teacherPhase = teacherTrains ? f * trained(teacher) : 0;
  // The teacher's forward pass (its outputs freed when it ends) comes before the student's step.
  const studentPhase =
    f * (Math.max(trained(student), teacher.activations * batch + 4 * student.weights) + teacher.weights);
  return {
    bytes: Math.max(teacherPhase, studentPhase),
    phase: teacherPhase > studentPhase ? 'teacher' : 'student',
    largestBuffer: f * batch * Math.max(teacherTrains ? teacher.largest : 0, student.largest, teacher.largest),
    batch,
    teacher,
    student,
  };
}

export interface MemoryLimit {
  /** Bytes the whole step may take (Infinity where the backend does not say). */
  total: number;
  /** Bytes one buffer may take. */
  buffer: number;
  what: string;
}

export const WASM_HEAP_BYTES = 4 * 2 ** 30;

export function memoryLimit(backend: Pick<BackendReport, 'name' | 'adapter'>): MemoryLimit {
  if (backend.name === 'wasm')
    return { total: WASM_HEAP_BYTES, buffer: WASM_HEAP_BYTES, what: 'the wasm backend holds at most 4 GB' };
  if (backend.name === 'webgpu') {
    const l = backend.adapter?.limits;
    const buffer = Math.min(l?.maxBufferSize ?? 256 * 2 ** 20, l?.maxStorageBufferBindingSize ?? 128 * 2 ** 20);
    return { total: Infinity, buffer, what: `this GPU binds at most ${gb(buffer)} in one buffer` };
  }
  return { total: Infinity, buffer: Infinity, what: '' };
}

const gb = (b: number) => (b >= 2 ** 30 ? `${(b / 2 ** 30).toFixed(1)} GB` : `${Math.round(b / 2 ** 20)} MB`);

/** The largest batch whose step fits the limit (0 when none does). */
export function batchThatFits(m: StepMemory, limit: MemoryLimit, teacherTrains: boolean): number {
  let lo = 0;
  let hi = m.batch;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    const s = stepMemory(m.teacher, m.student, mid, teacherTrains);
    if (s.bytes <= limit.total && s.largestBuffer <= limit.buffer) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** What a step of this setup needs, built from its models (disposed again) at the dataset's image size. */
export function estimateStepMemory(config: ExperimentConfig, inputSize: number, classes: number): StepMemory {
  const opts = { inputSize, classes, seed: 1 };
  // An imported teacher is not the preset's model: its share is left out (it is read, never trained).
  const t = config.teacherImport
    ? null
    : buildModel(modelPreset(config.teacherModel), { ...opts, name: 'memory_teacher' });
  const s = buildModel(modelPreset(config.studentModel), { ...opts, name: 'memory_student' });
  try {
    const teacher = t ? footprint(t) : { activations: 0, largest: 0, weights: 0 };
    return stepMemory(teacher, footprint(s), config.batchSize, !config.teacherImport);
  } finally {
    t?.dispose();
    s.dispose();
  }
}

/** Why this setup's step cannot fit the backend, with the batch that would, or null. */
export function memoryProblem(m: StepMemory, limit: MemoryLimit, teacherTrains: boolean): string | null {
  if (m.bytes <= limit.total && m.largestBuffer <= limit.buffer) return null;
  const fits = batchThatFits(m, limit, teacherTrains);
  const need =
    m.bytes > limit.total
      ? `about ${gb(m.bytes)} (the ${m.phase}'s step)`
      : `a single buffer of about ${gb(m.largestBuffer)}`;
  return `A training step at batch size ${m.batch} needs ${need}, and ${limit.what}: ${fits >= 2 ? `batch size ${fits} fits.` : 'no batch size of 2 or more fits; choose smaller images.'}`;
}
