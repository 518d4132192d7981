import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateSynthetic, SYNTHETIC_PRESETS } from '../data/synthetic';
import { selectBackend } from '../backend';
import { EXPERIMENT_PRESETS, methodChoice, type SyntheticExperimentConfig } from '../presets';
import { CancelledError, runExperiment } from './experiment';
import { keepInMemory, modelArtifacts } from '../models/artifacts';
import { DeviceLostError, isDeviceLoss, runResilient } from './resilientRun';
import type { BackendReport, LabEvent, RunSnapshot, SweepProgress } from '../types';

// The sweeps here train at 8 px: a lost wasm device falls back to tfjs's cpu backend, whose convolution
// gradients take most of the file's time at the tiny preset's 16 px (37 s → 11 s); what is tested is
// where each model goes on from, not what it learns.
let wasm: BackendReport;
beforeAll(async () => {
  wasm = await selectBackend({ forced: 'wasm' });
});

describe('device loss', () => {
  it('recognises lost devices and contexts by type or message', () => {
    expect(isDeviceLoss(new DeviceLostError('webgpu', 'destroyed'))).toBe(true);
    expect(isDeviceLoss(new Error('GPU device was lost: reason unknown'))).toBe(true);
    expect(isDeviceLoss(new Error('WebGL context lost'))).toBe(true);
    expect(isDeviceLoss(new Error('the KD loss became NaN'))).toBe(false);
  });

  it('a device lost during the second student resumes on the fallback backend from the checkpoint', async () => {
    const config: SyntheticExperimentConfig = {
      ...EXPERIMENT_PRESETS.tiny,
      dataset: { ...SYNTHETIC_PRESETS.tiny, examples: 160, size: 8 },
      teacherEpochs: 1,
      studentEpochs: 1,
      baseline: false,
      methods: [methodChoice('tiny', 'kd')],
      lambdas: [0, 0.5, 1],
    };
    const data = generateSynthetic(config.dataset);
    const events: LabEvent[] = [];
    let lost = false;
    const { result, backend } = await runResilient(
      config,
      data,
      wasm,
      {
        emit: (e) => {
          events.push(e);
          // The "GPU" goes away at the first step of the second student, once.
          if (!lost && e.type === 'loss' && e.runLabel === 'CKD λ=0.5') {
            lost = true;
            throw new DeviceLostError('wasm', 'simulated');
          }
        },
      },
      {
        keepTeacher: keepInMemory,
        nextBackend: (failed) =>
          selectBackend({ forced: 'cpu' }).then((r) => ({
            ...r,
            fallbacks: [...failed.fallbacks, 'wasm: device lost'],
          })),
      },
    );
    expect(lost).toBe(true);
    expect(tf.getBackend()).toBe('cpu');
    expect(backend.name).toBe('cpu');
    expect(result.backend.fallbacks).toContain('wasm: device lost');
    expect(result.students.map((s) => s.label)).toEqual(['CKD λ=0', 'CKD λ=0.5', 'CKD λ=1']);
    const stages = events.flatMap((e) => (e.type === 'stage' ? [e.message] : []));
    expect(stages).toContain('The wasm device was lost (simulated). Continuing on cpu from the last checkpoint.');
    expect(stages).toContain('Resuming: 1 of 3 students were already done');
    // The teacher trained once, the first student once.
    const teacherSteps = events.filter((e) => e.type === 'loss' && e.runLabel === 'Teacher').length;
    const firstStudentResults = events.filter((e) => e.type === 'result' && e.result.label === 'CKD λ=0').length;
    expect(teacherSteps).toBe(Math.ceil(data.split.filter((s) => s === 0).length / config.batchSize));
    expect(firstStudentResults).toBe(2); // trained and reported once, re-announced once on resume
  });

  it('a device lost in the middle of a model goes on from its last finished epoch, teacher or student', async () => {
    await selectBackend({ forced: 'wasm' });
    const config: SyntheticExperimentConfig = {
      ...EXPERIMENT_PRESETS.tiny,
      dataset: { ...SYNTHETIC_PRESETS.tiny, examples: 160, size: 8 },
      teacherEpochs: 3,
      studentEpochs: 3,
      baseline: false,
      methods: [methodChoice('tiny', 'kd')],
      lambdas: [1],
    };
    const data = generateSynthetic(config.dataset);
    const events: LabEvent[] = [];
    const losses: string[] = [];
    const { result } = await runResilient(
      config,
      data,
      wasm,
      {
        emit: (e) => {
          events.push(e);
          // Lost twice: in the teacher's third epoch, then (on cpu) in the student's third epoch.
          if (e.type === 'progress' && e.step === 1 && e.epoch === 3 && !losses.includes(e.runLabel)) {
            losses.push(e.runLabel);
            throw new DeviceLostError(tf.getBackend(), 'simulated');
          }
        },
      },
      {
        keepTeacher: keepInMemory,
        nextBackend: async (failed) => {
          const next = failed.name === 'wasm' ? 'cpu' : 'wasm';
          return selectBackend({ forced: next }).then((r) => ({
            ...r,
            fallbacks: [...failed.fallbacks, `${failed.name}: device lost`],
          }));
        },
      },
    );
    expect(losses).toEqual(['Teacher', 'CKD λ=1']);
    const stages = events.flatMap((e) => (e.type === 'stage' ? [e.message] : []));
    expect(stages).toContain('Teacher: going on from epoch 3 (epochs 1–2 restored from the checkpoint)');
    expect(stages).toContain('CKD λ=1: going on from epoch 3 (epochs 1–2 restored from the checkpoint)');
    // Each epoch was finished once: nothing before the last checkpoint was trained again.
    const epochs = events.flatMap((e) => (e.type === 'epoch' ? [`${e.runLabel}:${e.epoch}`] : []));
    expect(epochs).toEqual(['Teacher:1', 'Teacher:2', 'Teacher:3', 'CKD λ=1:1', 'CKD λ=1:2', 'CKD λ=1:3']);
    expect(result.teacher.valAccuracy).toHaveLength(3);
    expect(result.students[0].valAccuracy).toHaveLength(3);
    expect(result.students[0].curve.map((p) => p.step)).toEqual(result.students[0].curve.map((_p, i) => i + 1));
  });

  it('a resumed sweep that then loses its device keeps the epoch checkpoint it resumed from', async () => {
    await selectBackend({ forced: 'wasm' });
    const config: SyntheticExperimentConfig = {
      ...EXPERIMENT_PRESETS.tiny,
      dataset: { ...SYNTHETIC_PRESETS.tiny, examples: 160, size: 8 },
      teacherEpochs: 1,
      studentEpochs: 3,
      baseline: false,
      methods: [methodChoice('tiny', 'kd')],
      lambdas: [0],
    };
    const data = generateSynthetic(config.dataset);
    // A first session stops after the student's first epoch, as a reload would.
    let stop = false;
    let snapshot: RunSnapshot | undefined;
    let sweep: SweepProgress | undefined;
    let teacher: tf.io.ModelArtifacts | undefined;
    await expect(
      runExperiment(config, data, wasm, {
        emit: () => {},
        shouldStop: () => stop,
        onCheckpoint: (st) => {
          sweep = { ...st, students: [...st.students], failures: [...st.failures] };
        },
        onRunSnapshot: (snap) => {
          snapshot = snap;
          if (snap.label === 'CKD λ=0') stop = true;
        },
        onModel: async (role, _l, m) => {
          if (role === 'teacher') teacher = await modelArtifacts(m);
        },
      }),
    ).rejects.toBeInstanceOf(CancelledError);
    // The second session resumes it and loses the device in the student's second epoch, before any new snapshot.
    const stages: string[] = [];
    let lost = false;
    const { result } = await runResilient(
      config,
      data,
      wasm,
      {
        emit: (e) => {
          if (e.type === 'stage') stages.push(e.message);
          if (!lost && e.type === 'progress' && e.epoch === 2) {
            lost = true;
            throw new DeviceLostError('wasm', 'simulated');
          }
        },
      },
      {
        keepTeacher: keepInMemory,
        nextBackend: (failed) =>
          selectBackend({ forced: 'cpu' }).then((r) => ({
            ...r,
            fallbacks: [...failed.fallbacks, 'wasm: device lost'],
          })),
      },
      false,
      {
        teacher: await tf.loadLayersModel(tf.io.fromMemory(teacher!)),
        teacherResult: sweep!.teacher!,
        students: [],
        failures: [],
        startedAt: sweep!.startedAt,
        inProgress: snapshot,
      },
    );
    expect(lost).toBe(true);
    // Both starts go on from epoch 2: the snapshot survived the checkpoint written when the resumed sweep began.
    expect(
      stages.filter((s) => s === 'CKD λ=0: going on from epoch 2 (epochs 1–1 restored from the checkpoint)'),
    ).toHaveLength(2);
    expect(result.students[0].valAccuracy).toHaveLength(3);
  });
});
