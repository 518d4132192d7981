import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateSynthetic, SYNTHETIC_PRESETS } from '../data/synthetic';
import { DISTILLATION_METHODS } from '../distill/catalog';
import { CancelledError, lastGoodCheckpoint, planRuns, runExperiment, validateExperiment } from './experiment';
import { modelArtifacts } from '../models/artifacts';
import { EXPERIMENT_PRESETS, methodChoice, type SyntheticExperimentConfig } from '../presets';
import { useTestBackend } from '../testing/setup';
import type { ExperimentConfig, LabEvent, ModelResult } from '../types';

beforeAll(() => useTestBackend());

const backend = { name: 'wasm' as const, fallbacks: [] };
const small = (patch: Partial<ExperimentConfig> = {}): SyntheticExperimentConfig =>
  ({
    ...EXPERIMENT_PRESETS.tiny,
    dataset: { ...SYNTHETIC_PRESETS.tiny, examples: 160 },
    teacherEpochs: 1,
    studentEpochs: 1,
    baseline: false,
    methods: [methodChoice('tiny', 'kd')],
    ...patch,
  }) as SyntheticExperimentConfig;

describe('experiment loop', () => {
  it('an experiment (teacher, students, adversary) leaves tf.memory().numTensors where it started', async () => {
    const config = small({
      methods: DISTILLATION_METHODS.map((m) => methodChoice('tiny', m.id)),
      lambdas: [0, 1],
      baseline: true,
    });
    const data = generateSynthetic(config.dataset);
    const before = tf.memory().numTensors;
    const events: LabEvent[] = [];
    const result = await runExperiment(config, data, backend, { emit: (e) => events.push(e) });
    expect(tf.memory().numTensors).toBe(before);
    expect(result.students.map((s) => s.label)).toEqual(planRuns(config).map((r) => r.label));
    expect(result.students).toHaveLength(1 + 2 * DISTILLATION_METHODS.length);
    for (const m of [result.teacher, ...result.students]) {
      expect(Number.isFinite(m.test.accuracy)).toBe(true);
      expect(Number.isFinite(m.fairness.meanAbsDisparity)).toBe(true);
      expect(m.curve.every((p) => Object.values(p.terms).every(Number.isFinite))).toBe(true);
    }
    // Every loss term of each method is on the live curve; CTKD reports its temperature, debiased runs the adversary.
    const terms = (label: string) => Object.keys(result.students.find((s) => s.label === label)!.curve[0].terms);
    expect(terms('CKD λ=0')).toEqual(expect.arrayContaining(['CE', 'KD', 'total']));
    expect(terms('RKD λ=0')).toEqual(expect.arrayContaining(['RKD distance', 'RKD angle']));
    expect(terms('CTKD λ=0')).toEqual(expect.arrayContaining(['temperature']));
    expect(terms('CTKD λ=0')).not.toContain('λ');
    expect(terms('CTKD λ=1')).toContain('λ');
    expect(terms('KD++ λ=1')).toEqual(expect.arrayContaining(['ND', 'adversary']));
    expect(terms('DKD λ=0')).toEqual(expect.arrayContaining(['TCKD', 'NCKD']));
    const types = new Set(events.map((e) => e.type));
    for (const t of ['stage', 'progress', 'loss', 'epoch', 'result', 'done'])
      expect(types.has(t as LabEvent['type'])).toBe(true);
    const last = events.filter((e) => e.type === 'progress').pop() as Extract<LabEvent, { type: 'progress' }>;
    expect(last.fraction).toBeCloseTo(1, 6);
    // The labels-only student is trained, not distilled; each student's first progress names it at step 0,
    // never the model before's last step.
    const stages = events.flatMap((e) => (e.type === 'stage' ? [e.message] : []));
    expect(stages).toContain('Training: Labels only (no teacher)');
    expect(stages).toContain('Distilling: CKD λ=1');
    expect(stages.some((s) => s.startsWith('Distilling: Labels only'))).toBe(false);
    events.forEach((e, i) => {
      if (e.type !== 'stage' || !/^(Distilling|Training): /.test(e.message)) return;
      const next = events.slice(i + 1).find((x) => x.type === 'progress') as Extract<LabEvent, { type: 'progress' }>;
      expect([next.runLabel, next.epoch, next.step]).toEqual([e.message.replace(/^\w+: | \(no teacher\)$/g, ''), 1, 0]);
    });
  });

  it('every model carries its noise floor, validation figures and test predictions; students their paired intervals', async () => {
    const config = small({ dataset: SYNTHETIC_PRESETS.tiny, lambdas: [0, 1], teacherEpochs: 4, studentEpochs: 2 });
    const data = generateSynthetic(config.dataset);
    const result = await runExperiment(config, data, backend, { emit: () => {} });
    for (const m of [result.teacher, ...result.students]) {
      expect(m.testPredictions).toHaveLength(result.dataset.test);
      expect(m.validation!.accuracy).toBeGreaterThan(0);
      expect(m.fairness.meanAbsDisparityFloor).toBeGreaterThanOrEqual(0); // 0 only for recall 0 or 1 in every class
      expect(m.fairness.excessMeanAbsDisparity).toBeCloseTo(
        m.fairness.meanAbsDisparity! - m.fairness.meanAbsDisparityFloor!,
        12,
      );
      expect(m.fairness.interval!.resamples).toBe(1000);
    }
    const [plain, debiased] = result.students;
    expect(plain.pairedResamples).toBe(1000);
    expect(plain.biasVsTeacherInterval).toHaveLength(2);
    expect(plain.biasReductionInterval).toBeUndefined();
    expect(debiased.biasReductionInterval === null || debiased.biasReductionInterval!.length === 2).toBe(true);
    expect(debiased.accuracyChangeInterval).toHaveLength(2);
    expect(result.recommendations).toHaveLength(1);
    expect(result.recommendations![0].rule).toMatch(/validation/);
    // The JSON the headless runner writes keeps all of it.
    const json = JSON.parse(JSON.stringify(result)) as typeof result;
    expect(json.students[1].accuracyChangeInterval).toEqual(debiased.accuracyChangeInterval);
  });

  it('is seeded: the same config gives the same numbers', async () => {
    const config = small();
    const data = generateSynthetic(config.dataset);
    const a = await runExperiment(config, data, backend, { emit: () => {} });
    const b = await runExperiment(config, data, backend, { emit: () => {} });
    expect(b.students[0].curve).toEqual(a.students[0].curve);
    expect(b.students[0].test.accuracy).toBe(a.students[0].test.accuracy);
  });

  it('cancel stops between steps and disposes everything', async () => {
    const config = small({ teacherEpochs: 3 });
    const data = generateSynthetic(config.dataset);
    const before = tf.memory().numTensors;
    let steps = 0;
    await expect(
      runExperiment(config, data, backend, {
        emit: (e) => {
          if (e.type === 'loss') steps++;
        },
        shouldStop: () => steps >= 2,
      }),
    ).rejects.toBeInstanceOf(CancelledError);
    expect(steps).toBe(2);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a diverging student is named with its step and loss term; the teacher and the sweep go on; nothing leaks', async () => {
    // Plain SGD at 100: the teacher (CE only) survives one epoch with enormous embeddings, and RKD's
    // squared distances between them overflow at a student's first step (KD's bounded loss may not).
    const config = small({
      optimizer: 'sgd',
      learningRate: 100,
      lambdas: [0, 1],
      methods: [methodChoice('tiny', 'rkd')],
    });
    const data = generateSynthetic(config.dataset);
    const before = tf.memory().numTensors;
    const failed: string[] = [];
    const result = await runExperiment(config, data, backend, {
      emit: (e) => {
        if (e.type === 'runFailed') failed.push(e.label);
      },
    });
    expect(result.teacher.test.accuracy).toBeGreaterThan(0);
    expect(failed).toEqual(['RKD λ=0', 'RKD λ=1']);
    expect(result.failures!.map((f) => f.label)).toEqual(failed);
    expect(result.failures![0].message).toMatch(
      /^RKD λ=0: the RKD \w+ loss became (NaN|Infinity|-Infinity) at step \d+\. (It diverged in its first epoch, before any checkpoint\.|Its last good checkpoint is the end of epoch \d+ \(step \d+\)\.) Lower the learning rate/,
    );
    expect(result.students).toEqual([]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('resumes from a checkpoint: the teacher and finished students are not retrained, the rest are', async () => {
    const config = small({ lambdas: [0, 0.5, 1] });
    const data = generateSynthetic(config.dataset);
    const before = tf.memory().numTensors;
    let savedTeacher: tf.io.ModelArtifacts | null = null;
    const checkpoints: { students: ModelResult[] }[] = [];
    const full = await runExperiment(config, data, backend, {
      emit: () => {},
      onModel: async (role, _label, model) => {
        if (role === 'teacher') savedTeacher = await modelArtifacts(model);
      },
      onCheckpoint: (st) => {
        checkpoints.push({ students: [...st.students] });
      },
    });
    expect(checkpoints.map((c) => c.students.length)).toEqual([0, 0, 1, 2, 3]); // at the start, after the teacher, then each student
    const teacher = await tf.loadLayersModel(tf.io.fromMemory(savedTeacher!));
    const events: LabEvent[] = [];
    const resumed = await runExperiment(config, data, backend, { emit: (e) => events.push(e) }, false, {
      teacher,
      teacherResult: full.teacher,
      students: checkpoints[2].students,
      startedAt: full.startedAt,
    });
    const trained = new Set(events.flatMap((e) => (e.type === 'loss' ? [e.runLabel] : [])));
    expect([...trained]).toEqual(['CKD λ=0.5', 'CKD λ=1']); // neither the teacher nor CKD λ=0 again
    expect(resumed.students.map((s) => s.label)).toEqual(['CKD λ=0', 'CKD λ=0.5', 'CKD λ=1']);
    expect(resumed.students[0]).toEqual(full.students[0]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a diverged run names the epoch checkpoint a resume would start from', () => {
    const curve = (steps: number) =>
      Array.from({ length: steps }, (_, i) => ({ step: i + 1, epoch: Math.floor(i / 4) + 1, terms: { CE: 1 } }));
    expect(lastGoodCheckpoint(curve(3), 4)).toBe('It diverged in its first epoch, before any checkpoint.');
    expect(lastGoodCheckpoint(curve(4), 4)).toBe('Its last good checkpoint is the end of epoch 1 (step 4).');
    expect(lastGoodCheckpoint(curve(11), 4)).toBe('Its last good checkpoint is the end of epoch 2 (step 8).');
  });

  it('rejects bad settings with clear messages', () => {
    expect(validateExperiment(small({ batchSize: 1, lambdas: [-1], methods: [] }))).toEqual([
      'Batch size must be at least 2 (batch normalisation needs two examples).',
      'Choose at least one distillation method.',
      'λ values must be between 0 and 100 (got -1).',
    ]);
    expect(validateExperiment(small({ methods: [{ id: 'kd', params: { temperature: -3 } }] }))).toEqual([
      'CKD: Temperature T must be between 0.5 and 50 (got -3).',
    ]);
  });
});
