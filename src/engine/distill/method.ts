import type * as tf from '@tensorflow/tfjs';
import type { MethodInfo } from './catalog';

export type { HyperParam, MethodInfo } from './catalog';
export { validateParams, withDefaults } from './catalog';

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
  /** 1-based step number within this model's training (seeds per-step randomness such as dropout). */
  step?: number;
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

/** A method's losses (and per-run state), on top of what the catalog says about it. */
export interface DistillMethod extends MethodInfo {
  setup?(s: MethodSetup): MethodState;
  loss(inputs: LossInputs, params: Record<string, number>, state: MethodState | undefined): LossOutput;
}

export function teacherOf(x: LossInputs): { logits: tf.Tensor2D; embedding: tf.Tensor2D } {
  if (!x.teacher) throw new Error('This method needs the teacher’s outputs, and none were given.');
  return x.teacher;
}
