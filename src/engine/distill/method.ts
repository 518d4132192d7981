import type * as tf from '@tensorflow/tfjs';
import type { MethodId } from '../types';

/** One editable hyper-parameter, shown in the UI with its default and a one-line explanation. */
export interface HyperParam {
  key: string;
  label: string;
  default: number;
  min: number;
  max: number;
  step: number;
  help: string;
}

/** What a method's loss may read for one batch. Teacher tensors carry no gradient. */
export interface LossInputs {
  studentLogits: tf.Tensor2D;
  studentEmbedding: tf.Tensor2D;
  /** Absent for a method with usesTeacher: false (no teacher forward pass is run). */
  teacher?: { logits: tf.Tensor2D; embedding: tf.Tensor2D };
  labels: tf.Tensor1D;
  oneHot: tf.Tensor2D;
  /** 1-based epoch number, as in the papers' warm-up formulas. */
  epoch: number;
}

/** Per-run state a method trains or precomputes (CTKD's temperature, KD++'s class means). */
export interface MethodState {
  variables: tf.Variable[];
  /** Extra trainable layers applied to the student (KD++ projection). */
  trainableModels?: tf.LayersModel[];
  beforeEpoch?(epoch: number): void;
  dispose(): void;
  [key: string]: unknown;
}

export interface MethodSetup {
  params: Record<string, number>;
  studentDim: number;
  teacherDim: number;
  classes: number;
  seed: number;
  /** Teacher embeddings of the whole training split, by class (KD++ needs their means). */
  teacherClassMeans?: () => tf.Tensor2D;
}

export interface LossOutput {
  total: tf.Scalar;
  /** Each term, unweighted, for the live chart (CE, KD, …). */
  terms: Record<string, tf.Scalar>;
}

export interface DistillMethod {
  id: MethodId;
  label: string;
  short: string;
  paper: string;
  params: HyperParam[];
  /** False for the labels-only baseline: the loop then skips the teacher's forward pass. */
  usesTeacher?: boolean;
  /** True when setup needs the teacher's class-mean embeddings. */
  needsClassMeans?: boolean;
  setup?(s: MethodSetup): MethodState;
  loss(inputs: LossInputs, params: Record<string, number>, state: MethodState | undefined): LossOutput;
}

export function withDefaults(method: DistillMethod, overrides: Record<string, number> = {}): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of method.params) {
    const v = overrides[p.key];
    out[p.key] = v === undefined ? p.default : v;
  }
  return out;
}

export function validateParams(method: DistillMethod, params: Record<string, number>): string[] {
  const errors: string[] = [];
  for (const p of method.params) {
    const v = params[p.key];
    if (!Number.isFinite(v) || v < p.min || v > p.max) errors.push(`${method.short}: ${p.label} must be between ${p.min} and ${p.max} (got ${v}).`);
  }
  return errors;
}

export function teacherOf(x: LossInputs): { logits: tf.Tensor2D; embedding: tf.Tensor2D } {
  if (!x.teacher) throw new Error('This method needs the teacher’s outputs, and none were given.');
  return x.teacher;
}
