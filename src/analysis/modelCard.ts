/**
 * A model card for an exported student (after Mitchell et al. 2019): what it is, how it was
 * trained, how it scores, and how its bias compares with its teacher's — as JSON and markdown.
 */
import { biasIncrease, biasReduction, METRIC_DESCRIPTIONS } from '../engine/metrics/fairness';
import type { ExperimentResult, ModelResult } from '../engine/types';
import { METHOD_SHORT, studentAt } from './compare';

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
    meanAbsDisparity: number;
    interval95: [number, number] | null;
    perClassDisparity: { class: string; disparity: number | null }[];
    teacherMeanAbsDisparity: number;
    biasIncreaseOverTeacher: number | null;
    biasReductionOverUndebiased: number | null;
    worstGroupAccuracy: number | null;
  };
  definitions: Record<string, string>;
}

export function modelCard(result: ExperimentResult, m: ModelResult): ModelCard {
  const f = m.fairness;
  const undebiased = m.role === 'student' ? studentAt(result, m.method, 0) : undefined;
  return {
    model: {
      label: m.label,
      architecture: m.model,
      role: m.role,
      method: METHOD_SHORT[m.method],
      lambda: m.lambda,
      params: m.size.params,
      bytes: { float32: m.size.bytesFloat32, float16: m.size.bytesFloat16, uint8: m.size.bytesUint8 },
      flopsPerImage: m.size.flops,
      latencyMsPerImage: m.size.latencyMs ?? null,
      inputSize: result.config.dataset.size,
      classes: result.dataset.classNames,
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
      perClassDisparity: f.perClass.map((c) => ({
        class: result.dataset.classNames[c.classIndex],
        disparity: c.disparity,
      })),
      teacherMeanAbsDisparity: result.teacher.fairness.meanAbsDisparity,
      biasIncreaseOverTeacher:
        m.role === 'teacher' ? null : biasIncrease(f.meanAbsDisparity, result.teacher.fairness.meanAbsDisparity),
      biasReductionOverUndebiased:
        undebiased && m.lambda > 0 ? biasReduction(f.meanAbsDisparity, undebiased.fairness.meanAbsDisparity) : null,
      worstGroupAccuracy: f.worstGroupAccuracy,
    },
    definitions: {
      meanAbsDisparity: METRIC_DESCRIPTIONS.meanAbsDisparity,
      biasIncrease: METRIC_DESCRIPTIONS.biasIncrease,
      worstGroupAccuracy: METRIC_DESCRIPTIONS.worstGroupAccuracy,
    },
  };
}

const p = (v: number | null, d = 1) => (v === null ? '—' : `${(100 * v).toFixed(d)}%`);

export function modelCardMarkdown(card: ModelCard): string {
  const m = card.model,
    f = card.fairness;
  const [g0, g1] = f.protectedGroups;
  return [
    `# Model card: ${m.label}`,
    '',
    `${m.role === 'teacher' ? 'Teacher' : 'Student'} (${m.architecture}) trained by FairDistill Lab with ${m.method}${m.lambda > 0 ? ` and adversarial debiasing at λ = ${m.lambda}` : ''}.`,
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
    `- Mean |disparity| ${p(f.meanAbsDisparity, 2)}${f.interval95 ? ` (95% bootstrap interval ${p(f.interval95[0])}–${p(f.interval95[1])})` : ''}; teacher ${p(f.teacherMeanAbsDisparity, 2)}`,
    `- Bias increase over the teacher: ${f.biasIncreaseOverTeacher === null ? '—' : `${f.biasIncreaseOverTeacher >= 0 ? '+' : ''}${(100 * f.biasIncreaseOverTeacher).toFixed(0)}%`}` +
      (f.biasReductionOverUndebiased === null
        ? ''
        : `; bias reduction over the undebiased student: ${(100 * f.biasReductionOverUndebiased).toFixed(0)}%`),
    `- Worst-group accuracy: ${p(f.worstGroupAccuracy)}`,
    '',
    '| class | disparity (recall ' + g0 + ' − recall ' + g1 + ') |',
    '|---|---|',
    ...f.perClassDisparity.map(
      (c) =>
        `| ${c.class} | ${c.disparity === null ? '— (a group has no test example)' : (100 * c.disparity).toFixed(1)} |`,
    ),
    '',
    `Definitions: ${card.definitions.meanAbsDisparity}`,
    '',
  ].join('\n');
}
