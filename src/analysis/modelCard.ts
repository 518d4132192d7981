/**
 * A model card for an exported student (after Mitchell et al. 2019): what it is, how it was
 * trained, how it scores, and how its bias compares with its teacher's — as JSON and markdown.
 */
import { biasIncrease, biasReduction, METRIC_DESCRIPTIONS } from '../engine/metrics/fairness';
import type { ExperimentResult, ModelResult } from '../engine/types';
import { METHOD_SHORT, studentAt } from './compare';
import { seriesOf } from '../engine/plan';

export interface ModelCard {
  model: {
    label: string;
    architecture: string;
    role: ModelResult['role'];
    method: string;
    lambda: number;
    params: number;
    bytes: { float32: number; float16: number; uint8: number };
    flopsPerImage: number;
    latencyMsPerImage: number | null;
    inputSize: number;
    classes: string[];
    /** What an input must go through to match training (the photo demo does the same). */
    preprocessing: string;
  };
  training: {
    dataset: string;
    datasetImages: { train: number; val: number; test: number };
    config: ExperimentResult['config'];
    backend: string;
    trainedAt: string;
  };
  metrics: { accuracy: number; weighted: ModelResult['test']['weighted']; macro: ModelResult['test']['macro'] };
  fairness: {
    protectedGroups: [string, string];
    /** null: no class measurable in both groups. */
    meanAbsDisparity: number | null;
    interval95: [number, number] | null;
    noiseFloor: number | null;
    excessMeanAbsDisparity: number | null;
    excessInterval95: [number, number] | null;
    perClassDisparity: {
      class: string;
      disparity: number | null;
      noiseFloor: number | null;
      interval95: [number, number] | null;
    }[];
    teacherMeanAbsDisparity: number | null;
    teacherExcessMeanAbsDisparity: number | null;
    biasIncreaseOverTeacher: number | null;
    biasIncreaseOverTeacherInterval95: [number, number] | null;
    excessBiasIncreaseOverTeacher: number | null;
    excessBiasIncreaseOverTeacherInterval95: [number, number] | null;
    biasReductionOverUndebiased: number | null;
    biasReductionOverUndebiasedInterval95: [number, number] | null;
    excessBiasReductionOverUndebiased: number | null;
    excessBiasReductionOverUndebiasedInterval95: [number, number] | null;
    worstGroupAccuracy: number | null;
    /** Share of test predictions that change when only the group does (null without counterfactual twins). */
    counterfactualFlipRate: number | null;
    counterfactualFlipRateInterval95: [number, number] | null;
  };
  definitions: Record<string, string>;
}

export function modelCard(result: ExperimentResult, m: ModelResult): ModelCard {
  const f = m.fairness;
  const undebiased = m.role === 'student' && m.lambda > 0 ? studentAt(result, seriesOf(m), 0) : undefined;
  const u = undebiased?.fairness;
  const t = result.teacher.fairness;
  const student = m.role !== 'teacher';
  return {
    model: {
      label: m.label,
      architecture: m.model,
      role: m.role,
      method: METHOD_SHORT[m.method],
      ...(m.params ? { params: m.params } : {}),
      lambda: m.lambda,
      params: m.size.params,
      bytes: { float32: m.size.bytesFloat32, float16: m.size.bytesFloat16, uint8: m.size.bytesUint8 },
      flopsPerImage: m.size.flops,
      latencyMsPerImage: m.size.latencyMs ?? null,
      inputSize: result.config.dataset.size,
      classes: result.dataset.classNames,
      preprocessing: `RGB image, center-cropped to a square and resized to ${result.config.dataset.size}×${result.config.dataset.size}; pixels scaled to [−1, 1] as x / 127.5 − 1; input tensor [batch, ${result.config.dataset.size}, ${result.config.dataset.size}, 3]; the first output is the class logits, in the order of “classes”.`,
    },
    training: {
      dataset: result.dataset.name,
      datasetImages: { train: result.dataset.train, val: result.dataset.val, test: result.dataset.test },
      config: result.config,
      backend: result.backend.name,
      trainedAt: result.startedAt,
    },
    metrics: { accuracy: m.test.accuracy, weighted: m.test.weighted, macro: m.test.macro },
    fairness: {
      protectedGroups: result.dataset.groupNames,
      meanAbsDisparity: f.meanAbsDisparity,
      interval95: f.interval?.meanAbsDisparity ?? null,
      noiseFloor: f.meanAbsDisparityFloor ?? null,
      excessMeanAbsDisparity: f.excessMeanAbsDisparity ?? null,
      excessInterval95: f.interval?.excessMeanAbsDisparity ?? null,
      perClassDisparity: f.perClass.map((c) => ({
        class: result.dataset.classNames[c.classIndex],
        disparity: c.disparity,
        noiseFloor: c.floor ?? null,
        interval95: c.interval ?? null,
      })),
      teacherMeanAbsDisparity: t.meanAbsDisparity,
      teacherExcessMeanAbsDisparity: t.excessMeanAbsDisparity ?? null,
      biasIncreaseOverTeacher: student ? biasIncrease(f.meanAbsDisparity, t.meanAbsDisparity) : null,
      biasIncreaseOverTeacherInterval95: m.biasVsTeacherInterval ?? null,
      excessBiasIncreaseOverTeacher: student
        ? biasIncrease(f.excessMeanAbsDisparity ?? null, t.excessMeanAbsDisparity ?? null)
        : null,
      excessBiasIncreaseOverTeacherInterval95: m.excessBiasVsTeacherInterval ?? null,
      biasReductionOverUndebiased: u ? biasReduction(f.meanAbsDisparity, u.meanAbsDisparity) : null,
      biasReductionOverUndebiasedInterval95: m.biasReductionInterval ?? null,
      excessBiasReductionOverUndebiased: u
        ? biasReduction(f.excessMeanAbsDisparity ?? null, u.excessMeanAbsDisparity ?? null)
        : null,
      excessBiasReductionOverUndebiasedInterval95: m.excessBiasReductionInterval ?? null,
      worstGroupAccuracy: f.worstGroupAccuracy,
      counterfactualFlipRate: f.counterfactualFlipRate ?? null,
      counterfactualFlipRateInterval95: f.interval?.counterfactualFlipRate ?? null,
    },
    definitions: {
      meanAbsDisparity: METRIC_DESCRIPTIONS.meanAbsDisparity,
      noiseFloor: METRIC_DESCRIPTIONS.noiseFloor,
      interval: METRIC_DESCRIPTIONS.interval,
      biasIncrease: METRIC_DESCRIPTIONS.biasIncrease,
      worstGroupAccuracy: METRIC_DESCRIPTIONS.worstGroupAccuracy,
    },
  };
}

const p = (v: number | null, d = 1) => (v === null ? '—' : `${(100 * v).toFixed(d)}%`);
const signed = (v: number | null) => (v === null ? 'not measurable' : `${v >= 0 ? '+' : ''}${(100 * v).toFixed(0)}%`);
const ci = (i: [number, number] | null, digits = 0, sign = false) =>
  i ? ` [95% interval ${i.map((v) => `${sign && v >= 0 ? '+' : ''}${(100 * v).toFixed(digits)}`).join(', ')}]` : '';

export function modelCardMarkdown(card: ModelCard): string {
  const m = card.model,
    f = card.fairness;
  const [g0, g1] = f.protectedGroups;
  return [
    `# Model card: ${m.label}`,
    '',
    `${m.role === 'teacher' ? 'Teacher' : 'Student'} (${m.architecture}) trained by FairDistill Lab with ${m.method}${m.lambda > 0 ? ` and adversarial debiasing at λ = ${m.lambda}` : ''}.`,
    '',
    '## Input',
    `- ${m.preprocessing}`,
    '',
    '## Size and speed',
    `- Parameters: ${m.params.toLocaleString('en-US')}; weights ${(m.bytes.float32 / 1024).toFixed(1)} KB float32, ${(m.bytes.float16 / 1024).toFixed(1)} KB float16, ${(m.bytes.uint8 / 1024).toFixed(1)} KB uint8`,
    `- ${(m.flopsPerImage / 1e6).toFixed(2)} MFLOPs per ${m.inputSize}×${m.inputSize} image${m.latencyMsPerImage === null ? '' : `; ${m.latencyMsPerImage.toFixed(3)} ms per image on ${card.training.backend}`}`,
    '',
    '## Training',
    `- Dataset: ${card.training.dataset} (${card.training.datasetImages.train} train / ${card.training.datasetImages.val} validation / ${card.training.datasetImages.test} test images); model selection on validation only`,
    `- ${card.training.config.studentEpochs} student epochs, batch ${card.training.config.batchSize}, learning rate ${card.training.config.learningRate}, seed ${card.training.config.seed}; ${card.training.trainedAt}`,
    '',
    '## Accuracy (test split)',
    `- Top-1 ${p(card.metrics.accuracy)}; weighted F1 ${p(card.metrics.weighted.f1)}; macro F1 ${p(card.metrics.macro.f1)}`,
    '',
    `## Bias (${g0} vs ${g1})`,
    `- Mean |disparity| ${f.meanAbsDisparity === null ? 'not measurable (no class has test examples of both groups)' : p(f.meanAbsDisparity, 2)}${f.interval95 ? ` (95% bootstrap interval ${p(f.interval95[0])}–${p(f.interval95[1])})` : ''}; teacher ${p(f.teacherMeanAbsDisparity, 2)}`,
    `- Noise floor ${p(f.noiseFloor, 2)} — what a model with equal recall in both groups would show on these test cells; excess above it ${p(f.excessMeanAbsDisparity, 2)}${f.excessInterval95 ? ` (95% interval ${p(f.excessInterval95[0])}–${p(f.excessInterval95[1])})` : ''}`,
    ...(m.role === 'teacher'
      ? []
      : [
          `- Bias vs the teacher: ${signed(f.biasIncreaseOverTeacher)}${ci(f.biasIncreaseOverTeacherInterval95, 0, true)}; above the noise floor: ${signed(f.excessBiasIncreaseOverTeacher)}${ci(f.excessBiasIncreaseOverTeacherInterval95, 0, true)}`,
        ]),
    ...(f.biasReductionOverUndebiased === null && f.excessBiasReductionOverUndebiased === null
      ? []
      : [
          `- Bias reduction over the undebiased student: ${p(f.biasReductionOverUndebiased, 0)}${ci(f.biasReductionOverUndebiasedInterval95)}; above the noise floor: ${p(f.excessBiasReductionOverUndebiased, 0)}${ci(f.excessBiasReductionOverUndebiasedInterval95)}`,
        ]),
    `- Worst-group accuracy: ${p(f.worstGroupAccuracy)}`,
    ...(f.counterfactualFlipRate === null
      ? []
      : [
          `- Counterfactual flip rate: ${p(f.counterfactualFlipRate)} of test predictions change when only the group does${f.counterfactualFlipRateInterval95 ? ` (95% interval ${p(f.counterfactualFlipRateInterval95[0])}–${p(f.counterfactualFlipRateInterval95[1])})` : ''}`,
        ]),
    '',
    '| class | disparity ×100 (recall ' + g0 + ' − recall ' + g1 + ') | 95% interval | noise floor ×100 |',
    '|---|---|---|---|',
    ...f.perClassDisparity.map(
      (c) =>
        `| ${c.class} | ${c.disparity === null ? '— (a group has no test example)' : (100 * c.disparity).toFixed(1)} | ${c.interval95 ? c.interval95.map((v) => (100 * v).toFixed(1)).join(' to ') : '—'} | ${c.noiseFloor === null ? '—' : (100 * c.noiseFloor).toFixed(1)} |`,
    ),
    '',
    `Definitions: ${card.definitions.meanAbsDisparity} ${card.definitions.noiseFloor} ${card.definitions.interval}`,
    '',
  ].join('\n');
}
