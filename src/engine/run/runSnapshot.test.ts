import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { memoryChunks } from '../data/pixelChunks';
import { generateSynthetic, SYNTHETIC_PRESETS } from '../data/synthetic';
import { CancelledError, runExperiment, type ExperimentHooks } from './experiment';
import { modelArtifacts } from '../models/artifacts';
import { buildModel, modelPreset } from '../models/efficientnet';
import { EXPERIMENT_PRESETS, methodChoice, type SyntheticExperimentConfig } from '../presets';
import { restoreModels, restoreOptimizer, saveModels, saveOptimizer, snapshotBytes } from './runSnapshot';
import { useTestBackend } from '../testing/setup';
import type { Dataset, ExperimentResult, LabEvent, ModelResult, RunSnapshot, SweepProgress } from '../types';

beforeAll(() => useTestBackend());

const backend = { name: 'wasm' as const, fallbacks: [] };
// Every kind of per-run state: the adversary (λ > 0), CTKD's temperature variable, KD++'s projection layer.
const config: SyntheticExperimentConfig = {
  ...EXPERIMENT_PRESETS.tiny,
  dataset: { ...SYNTHETIC_PRESETS.tiny, examples: 160 },
  teacherEpochs: 2,
  studentEpochs: 3,
  baseline: false,
  methods: [methodChoice('tiny', 'ctkd'), methodChoice('tiny', 'kdpp')],
  lambdas: [0.5],
};
const data = generateSynthetic(config.dataset);

/** Runs the sweep until `stopAfter` (a run label and an epoch) has been snapshotted, then cancels like a reload would. */
async function interrupted(stopAfter: { label: string; epoch: number }, on: Dataset = data) {
  let stop = false;
  let snapshot: RunSnapshot | undefined;
  let sweep: SweepProgress | undefined;
  let teacher: tf.io.ModelArtifacts | undefined;
  const hooks: ExperimentHooks = {
    emit: () => {},
    shouldStop: () => stop,
    onCheckpoint: (s) => {
      sweep = { ...s, students: [...s.students], failures: [...s.failures] };
    },
    onRunSnapshot: (s) => {
      snapshot = s;
      if (s.label === stopAfter.label && s.epoch === stopAfter.epoch) stop = true;
    },
    onModel: async (role, _l, m) => {
      if (role === 'teacher') teacher = await modelArtifacts(m);
    },
  };
  await expect(runExperiment(config, on, backend, hooks)).rejects.toBeInstanceOf(CancelledError);
  return { snapshot: snapshot!, sweep: sweep!, teacher };
}

/** The sweep run again from where `interrupted` left it: the finished teacher, students and snapshot. */
async function resume(
  from: Awaited<ReturnType<typeof interrupted>>,
  on: Dataset,
  emit: (e: LabEvent) => void = () => {},
): Promise<ExperimentResult> {
  return runExperiment(config, on, backend, { emit }, false, {
    teacher: await tf.loadLayersModel(tf.io.fromMemory(from.teacher!)),
    teacherResult: from.sweep.teacher!,
    students: from.sweep.students,
    failures: from.sweep.failures,
    startedAt: from.sweep.startedAt,
    inProgress: from.snapshot,
  });
}

function expectSameModel(a: ModelResult, b: ModelResult) {
  expect(b.curve).toEqual(a.curve);
  expect(b.valAccuracy).toEqual(a.valAccuracy);
  expect(b.test.confusion).toEqual(a.test.confusion);
  expect(b.fairness.meanAbsDisparity).toBe(a.fairness.meanAbsDisparity);
}

describe('epoch checkpoints', () => {
  let full: ExperimentResult;
  beforeAll(async () => {
    full = await runExperiment(config, data, backend, { emit: () => {} });
  });

  it('a student stopped after its first epoch goes on from the snapshot and ends exactly where the uninterrupted run ends', async () => {
    const before = tf.memory().numTensors;
    const { snapshot, sweep, teacher } = await interrupted({ label: 'KD++ λ=0.5', epoch: 1 });
    expect(snapshot).toMatchObject({ label: 'KD++ λ=0.5', epoch: 1, epochs: 3 });
    expect(snapshot.adversary).toBeDefined();
    expect(snapshot.method.length).toBeGreaterThan(0); // the projection layer
    expect(snapshot.optimizer).toMatchObject({ kind: 'adam', iterations: snapshot.curve.length });
    expect(snapshotBytes(snapshot)).toBeGreaterThan(0);
    expect(sweep.students.map((s) => s.label)).toEqual(['CTKD λ=0.5']);
    const events: LabEvent[] = [];
    const resumed = await resume({ snapshot, sweep, teacher }, data, (e) => events.push(e));
    expectSameModel(full.teacher, resumed.teacher);
    full.students.forEach((s, i) => expectSameModel(s, resumed.students[i]));
    // Only epochs 2 and 3 of KD++ were trained; epoch 1 came back from the snapshot.
    const stages = events.flatMap((e) => (e.type === 'stage' ? [e.message] : []));
    expect(stages).toContain('KD++ λ=0.5: going on from epoch 2 (epochs 1–1 restored from the checkpoint)');
    const epochs = events.flatMap((e) => (e.type === 'epoch' ? [`${e.runLabel}:${e.epoch}`] : []));
    expect(epochs).toEqual(['KD++ λ=0.5:2', 'KD++ λ=0.5:3']);
    const progress = events.filter((e): e is Extract<LabEvent, { type: 'progress' }> => e.type === 'progress');
    const steps = Math.ceil(data.split.filter((s) => s === 0).length / config.batchSize);
    expect(progress[0].fraction).toBeCloseTo(((2 + 3 + 1 + 1 / steps) * steps) / ((2 + 3 + 3) * steps), 9);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a teacher stopped after its first epoch goes on from the snapshot; the sweep ends as the uninterrupted one', async () => {
    const before = tf.memory().numTensors;
    const { snapshot, sweep } = await interrupted({ label: 'Teacher', epoch: 1 });
    expect(sweep.teacher).toBeNull(); // on record before the teacher had finished
    expect(snapshot.adversary).toBeUndefined();
    const resumed = await runExperiment(config, data, backend, { emit: () => {} }, false, {
      students: [],
      failures: [],
      startedAt: sweep.startedAt,
      inProgress: snapshot,
    });
    expectSameModel(full.teacher, resumed.teacher);
    full.students.forEach((s, i) => expectSameModel(s, resumed.students[i]));
    expect(tf.memory().numTensors).toBe(before);
  });

  it('on pixels in chunks (the streamed data path): a student resumed from its snapshot ends as the uninterrupted run', async () => {
    // 160 images in 7 chunks of 23 (the last 22): the epoch order permutes chunks and windows of chunks,
    // so a resume must redraw the same order for epochs 2 and 3 from the seed alone.
    const px = data.size * data.size * 3;
    const parts = Array.from({ length: 7 }, (_, k) => data.images.slice(k * 23 * px, Math.min(160, (k + 1) * 23) * px));
    const chunked: Dataset = { ...data, images: memoryChunks(parts, px) };
    const before = tf.memory().numTensors;
    const straight = await runExperiment(config, chunked, backend, { emit: () => {} });
    // The chunked order is not the in-memory one, so the runs differ from `full`: the comparison is live.
    expect(straight.teacher.curve).not.toEqual(full.teacher.curve);
    const { snapshot, sweep, teacher } = await interrupted({ label: 'CTKD λ=0.5', epoch: 2 }, chunked);
    const resumed = await resume({ snapshot, sweep, teacher }, chunked);
    expectSameModel(straight.teacher, resumed.teacher);
    straight.students.forEach((s, i) => expectSameModel(s, resumed.students[i]));
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a snapshot of another model or optimizer is refused with a message, not half-loaded', async () => {
    const before = tf.memory().numTensors;
    const opts = { inputSize: 32, classes: 8, seed: 1 };
    const teacher = buildModel(modelPreset('tiny-teacher'), { ...opts, name: 't' });
    const student = buildModel(modelPreset('tiny-student'), { ...opts, name: 's' });
    const saved = await saveModels([teacher]);
    expect(() => restoreModels([student], saved, 'Teacher')).toThrow(
      /^The checkpoint (holds \d+ tensors for the Teacher; it has \d+|'s Teacher tensor \d+ .* is [\d×]+; the model's is [\d×]+)/,
    );
    const sgd = tf.train.sgd(0.1);
    await expect(restoreOptimizer(sgd, { kind: 'adam', iterations: 3, slots: [] }, [])).rejects.toThrow(
      'The checkpoint was written with the adam optimizer; this run uses sgd.',
    );
    sgd.dispose();
    teacher.dispose();
    student.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it("Adam's moments, step count and bias-correction powers survive the round trip exactly", async () => {
    const before = tf.memory().numTensors;
    const make = (): tf.Variable[] =>
      tf.tidy(() => [tf.variable(tf.tensor1d([1, -2, 3])), tf.variable(tf.tensor2d([[0.5, 0.25]]))]);
    const loss = (vs: tf.Variable[]) => () =>
      tf.add(tf.sum(tf.square(tf.sub(vs[0], 0.3))), tf.sum(tf.mul(vs[1], vs[1]))) as tf.Scalar;
    const a = make();
    const optA = tf.train.adam(0.1);
    for (let i = 0; i < 3; i++) optA.minimize(loss(a), false, a);
    const snap = await saveOptimizer(optA);
    expect(snap.iterations).toBe(3);
    expect(snap.accBeta1).toBeCloseTo(0.9 ** 4, 6);
    const b = make();
    b.forEach((v, i) => v.assign(a[i]));
    const optB = tf.train.adam(0.1);
    await restoreOptimizer(optB, snap, b);
    for (let i = 0; i < 2; i++) {
      optA.minimize(loss(a), false, a);
      optB.minimize(loss(b), false, b);
    }
    for (let i = 0; i < 2; i++) expect(Array.from(b[i].dataSync())).toEqual(Array.from(a[i].dataSync()));
    optA.dispose();
    optB.dispose();
    tf.dispose([...a, ...b]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
