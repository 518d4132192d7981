import * as tf from '@tensorflow/tfjs';
import type { OptimizerSnapshot, RunSnapshot, SavedTensor } from '../types';

/**
 * Moving the training state of a run (weights, optimizer slots, best-so-far weights) between live
 * tensors and plain typed arrays, so an epoch checkpoint can go to IndexedDB, survive a reload and be
 * restored on any backend. Restoring checks every count and shape: a checkpoint written by another
 * model or another version of the lab is refused with a message, never loaded half-way.
 */

export async function saveTensors(named: { name: string; tensor: tf.Tensor }[]): Promise<SavedTensor[]> {
  const data = await Promise.all(named.map((n) => n.tensor.data()));
  return named.map((n, i) => ({
    name: n.name,
    shape: n.tensor.shape.slice(),
    dtype: n.tensor.dtype === 'int32' ? 'int32' : 'float32',
    // A copy: data() may hand back the backend's own buffer.
    data:
      n.tensor.dtype === 'int32' ? Int32Array.from(data[i] as Int32Array) : Float32Array.from(data[i] as Float32Array),
  }));
}

export function tensorsOf(saved: SavedTensor[]): tf.Tensor[] {
  return saved.map((s) => tf.tensor(s.data, s.shape, s.dtype));
}

function checkShapes(saved: SavedTensor[], shapes: number[][], what: string): void {
  if (saved.length !== shapes.length)
    throw new Error(
      `The checkpoint holds ${saved.length} tensors for the ${what}; it has ${shapes.length}. It was written by a different model.`,
    );
  saved.forEach((s, i) => {
    if (s.shape.join('×') !== shapes[i].join('×'))
      throw new Error(
        `The checkpoint's ${what} tensor ${i} (${s.name}) is ${s.shape.join('×')}; the model's is ${shapes[i].join('×')}.`,
      );
  });
}

/** Every weight of the models, trainable or not (batch-norm statistics included), in model order. */
export function saveModels(models: tf.LayersModel[]): Promise<SavedTensor[]> {
  return saveTensors(models.flatMap((m) => m.weights.map((w) => ({ name: w.name, tensor: w.read() }))));
}

export function restoreModels(models: tf.LayersModel[], saved: SavedTensor[], what: string): void {
  checkShapes(
    saved,
    models.flatMap((m) => m.weights.map((w) => w.shape as number[])),
    what,
  );
  let at = 0;
  for (const m of models) {
    const values = tensorsOf(saved.slice(at, at + m.weights.length));
    at += m.weights.length;
    m.setWeights(values);
    tf.dispose(values);
  }
}

export function saveVariables(vars: tf.Variable[]): Promise<SavedTensor[]> {
  return saveTensors(vars.map((v) => ({ name: v.name, tensor: v })));
}

export function restoreVariables(vars: tf.Variable[], saved: SavedTensor[], what: string): void {
  checkShapes(
    saved,
    vars.map((v) => v.shape),
    what,
  );
  saved.forEach((s, i) => tf.tidy(() => vars[i].assign(tf.tensor(s.data, s.shape, s.dtype))));
}

/** Adam's bias-correction powers, which tfjs keeps outside getWeights(). */
interface AdamInternals {
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
}
const isAdam = (o: tf.Optimizer): o is tf.Optimizer & AdamInternals => o.getClassName() === 'Adam';

export async function saveOptimizer(opt: tf.Optimizer): Promise<OptimizerSnapshot> {
  const [iterations, ...slots] = await opt.getWeights();
  const count = (await iterations.tensor.data())[0];
  iterations.tensor.dispose(); // a fresh scalar; the slots are the optimizer's own variables
  const snap: OptimizerSnapshot = {
    kind: isAdam(opt) ? 'adam' : 'sgd',
    iterations: count,
    slots: await saveTensors(slots),
  };
  if (isAdam(opt)) {
    snap.accBeta1 = (await opt.accBeta1.data())[0];
    snap.accBeta2 = (await opt.accBeta2.data())[0];
  }
  return snap;
}

/**
 * Loads the slots into a fresh optimizer. Adam matches its slots to variables by position, so the
 * variables must be listed in the order they were when saved (the run loop's order is fixed).
 */
export async function restoreOptimizer(opt: tf.Optimizer, snap: OptimizerSnapshot, vars: tf.Variable[]): Promise<void> {
  const kind = isAdam(opt) ? 'adam' : 'sgd';
  if (snap.kind !== kind)
    throw new Error(`The checkpoint was written with the ${snap.kind} optimizer; this run uses ${kind}.`);
  if (kind === 'adam')
    checkShapes(
      snap.slots,
      [...vars, ...vars].map((v) => v.shape),
      'optimizer',
    );
  const values = [
    { name: 'iter', tensor: tf.scalar(snap.iterations, 'int32') as tf.Tensor },
    ...snap.slots.map((s) => ({ name: s.name, tensor: tensorsOf([s])[0] })),
  ];
  try {
    await opt.setWeights(values);
  } finally {
    tf.dispose(values.map((v) => v.tensor)); // setWeights made variables of its own from them
  }
  if (isAdam(opt) && snap.accBeta1 !== undefined && snap.accBeta2 !== undefined) {
    // setWeights recomputes these as β^(t+1) with pow(); the saved products make the resume exact.
    tf.tidy(() => {
      opt.accBeta1.assign(tf.scalar(snap.accBeta1!));
      opt.accBeta2.assign(tf.scalar(snap.accBeta2!));
    });
  }
}

/** Bytes of tensor data a snapshot holds (what its IndexedDB record costs, near enough). */
export function snapshotBytes(snap: RunSnapshot): number {
  const tensors = [
    ...snap.model,
    ...snap.optimizer.slots,
    ...snap.method,
    ...(snap.best?.weights ?? []),
    ...(snap.adversary ? [...snap.adversary.model, ...snap.adversary.optimizer.slots] : []),
  ];
  return tensors.reduce((n, t) => n + t.data.byteLength, 0);
}
