import * as tf from '@tensorflow/tfjs';
import type { Batch } from '../data/batches';
import type { DistillMethod, MethodState } from '../distill';
import { adversaryInput, adversaryLoss } from '../models/adversary';
import { forward } from '../models/efficientnet';
import type { StudentRun } from '../plan';
import type { DebiasConfig } from '../types';

/** What one student update reads: the models, the method and its state, the optimizers, the batch. */
export interface StepInputs {
  student: tf.LayersModel;
  teacher: tf.LayersModel;
  def: DistillMethod;
  run: StudentRun;
  state?: MethodState;
  adversary?: tf.LayersModel;
  optimizer: tf.Optimizer;
  advOptimizer?: tf.Optimizer;
  vars: tf.Variable[];
  advVars: tf.Variable[];
  batch: Batch;
  epoch: number;
  /** 1-based step number within this model's training. */
  step?: number;
  lambda: number;
}

/**
 * One student update (and one adversary update when there is an adversary): the step the run loop
 * repeats and the bench times. Returns the kept loss terms (the caller reads and disposes them).
 */
export function distillationStep(debias: DebiasConfig, s: StepInputs): Record<string, tf.Scalar> {
  const { batch, def, adversary } = s;
  const teacherOut =
    def.usesTeacher === false
      ? undefined
      : tf.tidy(() => {
          const [logits, embedding] = forward(s.teacher, batch.x, false);
          return { logits, embedding };
        });
  const kept: Record<string, tf.Scalar> = {};
  let probs: tf.Tensor2D | undefined;
  const taskLoss = () => {
    const [logits, embedding] = forward(s.student, batch.x, true);
    const out = def.loss(
      {
        studentLogits: logits,
        studentEmbedding: embedding,
        teacher: teacherOut,
        labels: batch.labels,
        oneHot: batch.oneHot,
        epoch: s.epoch,
        step: s.step,
      },
      s.run.params,
      s.state,
    );
    // Clones: minimize() disposes the value it is handed, and a term may be that value.
    for (const [k, v] of Object.entries(out.terms)) kept[k] = tf.keep(tf.clone(v));
    if (Object.keys(out.terms).length > 1) kept.total = tf.keep(tf.clone(out.total));
    return { total: out.total, logits };
  };
  const advLossOf = (logits: tf.Tensor2D) => {
    const p = tf.softmax(logits) as tf.Tensor2D;
    if (!probs) probs = tf.keep(tf.clone(p));
    return adversaryLoss(
      adversary!.apply(adversaryInput(p, batch.oneHot, debias.equalizedOdds)) as tf.Tensor2D,
      batch.groups,
      batch.groupMask,
    );
  };
  try {
    if (!adversary) {
      s.optimizer.minimize(() => taskLoss().total, false, s.vars);
    } else if (!debias.projection) {
      // Gradient reversal: the student descends L_task − λ·L_adv, i.e. ascends the adversary's loss.
      s.optimizer.minimize(
        () => {
          const { total, logits } = taskLoss();
          const adv = advLossOf(logits);
          kept.adversary = tf.keep(tf.clone(adv));
          return tf.sub(total, tf.mul(s.lambda, adv)) as tf.Scalar;
        },
        false,
        s.vars,
      );
    } else {
      // Zhang et al. 2018: g ← ∇L_P − proj_{∇L_A} ∇L_P − λ·∇L_A, per variable (as AIF360).
      const task = tf.variableGrads(() => taskLoss().total, s.vars);
      const adv = tf.variableGrads(() => {
        const [logits] = forward(s.student, batch.x, true);
        const l = advLossOf(logits);
        kept.adversary = tf.keep(tf.clone(l));
        return l;
      }, s.vars);
      // The adversary's gradient is defined as ∇ of its loss to *minimise*; the student wants to raise it.
      const grads: Record<string, tf.Tensor> = {};
      for (const name of Object.keys(task.grads)) {
        grads[name] = tf.tidy(() => {
          const gp = task.grads[name];
          const ga = adv.grads[name] ?? tf.zerosLike(gp);
          const unit = tf.div(ga, tf.add(tf.norm(ga), 1e-8));
          const proj = tf.mul(tf.sum(tf.mul(gp, unit)), unit);
          return tf.sub(tf.sub(gp, proj), tf.mul(s.lambda, ga));
        });
      }
      s.optimizer.applyGradients(grads);
      tf.dispose([
        task.value,
        adv.value,
        ...Object.values(task.grads),
        ...Object.values(adv.grads),
        ...Object.values(grads),
      ]);
    }
    if (adversary && probs) {
      const input = tf.tidy(() => adversaryInput(probs!, batch.oneHot, debias.equalizedOdds));
      s.advOptimizer!.minimize(
        () => adversaryLoss(adversary.apply(input) as tf.Tensor2D, batch.groups, batch.groupMask),
        false,
        s.advVars,
      );
      input.dispose();
    }
  } finally {
    probs?.dispose();
    if (teacherOut) tf.dispose([teacherOut.logits, teacherOut.embedding]);
  }
  return kept;
}
