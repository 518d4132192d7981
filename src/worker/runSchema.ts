import { validateSyntheticConfig } from '../engine/data/synthetic';
import { z } from 'zod';
import { METHOD_INFO } from '../engine/distill/catalog';
import { validateExperiment } from '../engine/plan';
import { withCurrentFieldNames } from '../engine/types';
import { BACKEND_ORDER, type StoredRun } from '../engine/types';

/**
 * The full schema of a runs export, checked in the worker before anything is stored: every field
 * the lab reads, with its type and range (finite numbers only), unknown fields dropped. A file that
 * passes cannot make a panel read a missing field; one that fails is named by its first bad field.
 */

/** Limits: an export this large is refused before parsing; one run this large is refused on its own. */
export const MAX_IMPORT_BYTES = 64 * 1024 * 1024;
export const MAX_RUN_BYTES = 16 * 1024 * 1024;
export const MAX_RUNS = 500;
/** A run's notes, one tag, and its tags: what the runs list stores and an import accepts. */
export const MAX_NOTES = 10_000;
export const MAX_TAG = 50;
export const MAX_TAGS = 30;

const finite = z.number().finite();
const unit = finite.min(0).max(1);
const signedUnit = finite.min(-1).max(1);
const count = z.number().int().min(0).max(1e9);
const text = (max = 200) => z.string().max(max);
const pair = z.tuple([finite.min(-1e3).max(1e3), finite.min(-1e3).max(1e3)]).nullable();
const methodIds = METHOD_INFO.map((m) => m.id) as [string, ...string[]];

const prf = z.object({ precision: unit, recall: unit, f1: unit });
const classification = z.object({
  accuracy: unit,
  macro: prf,
  weighted: prf,
  perClass: z.array(prf.extend({ support: count })).max(1000),
  confusion: z.array(z.array(count).max(1000)).max(1000),
});

const fairness = z.object({
  perClass: z
    .array(
      z.object({
        classIndex: count,
        disparity: signedUnit.nullable(),
        recall: z.tuple([unit.nullable(), unit.nullable()]),
        support: z.tuple([count, count]),
        floor: unit.nullable().optional(),
        interval: pair.optional(),
      }),
    )
    .max(1000),
  meanAbsDisparity: unit.nullable(),
  meanAbsDisparityFloor: unit.nullable().optional(),
  excessMeanAbsDisparity: signedUnit.nullable().optional(),
  skippedClasses: z.array(count).max(1000),
  unknownGroup: count,
  oneVsRest: z
    .array(
      z.object({
        classIndex: count,
        equalOpportunity: unit.nullable(),
        equalizedOdds: unit.nullable(),
        demographicParity: unit.nullable(),
        byGroup: z
          .object({
            truePositiveRate: z.tuple([unit.nullable(), unit.nullable()]),
            falsePositiveRate: z.tuple([unit.nullable(), unit.nullable()]),
            selectionRate: z.tuple([unit.nullable(), unit.nullable()]),
            count: z.tuple([count, count]),
          })
          .optional(),
      }),
    )
    .max(1000),
  confusionByGroup: z
    .tuple([z.array(z.array(count).max(1000)).max(1000), z.array(z.array(count).max(1000)).max(1000)])
    .optional(),
  meanEqualizedOdds: unit.nullable(),
  meanDemographicParity: unit.nullable(),
  groupAccuracy: z.tuple([unit.nullable(), unit.nullable()]),
  worstGroupAccuracy: unit.nullable(),
  biasAmplification: finite.min(-2).max(2).nullable(),
  counterfactualFlipRate: unit.nullable().optional(),
  interval: z
    .object({
      meanAbsDisparity: pair,
      excessMeanAbsDisparity: pair.optional(),
      accuracy: pair,
      counterfactualFlipRate: pair.optional(),
      resamples: count,
      stratified: z.literal(true).optional(),
    })
    .optional(),
});

const model = z.object({
  role: z.enum(['teacher', 'student', 'baseline']),
  label: text(),
  model: text(),
  method: z.enum(methodIds),
  lambda: finite.min(0).max(100),
  series: text().optional(),
  params: z.record(text(40), finite).optional(),
  size: z.object({
    params: count.max(1e10),
    bytesFloat32: count.max(1e12),
    bytesFloat16: count.max(1e12),
    bytesUint8: count.max(1e12),
    flops: finite.min(0).max(1e15),
    latencyMs: finite.min(0).max(1e6).optional(),
    latencySpreadMs: z.tuple([finite.min(0).max(1e6), finite.min(0).max(1e6)]).optional(),
  }),
  test: classification,
  fairness,
  valAccuracy: z.array(unit).max(100_000),
  curve: z.array(z.object({ step: count, epoch: count, terms: z.record(text(40), finite) })).max(1_000_000),
  trainSeconds: finite.min(0).max(1e9),
  testPredictions: z.array(count).max(10_000_000).optional(),
  twinPredictions: z.array(count).max(10_000_000).optional(),
  validation: z
    .object({
      accuracy: unit,
      meanAbsDisparity: unit.nullable(),
      meanAbsDisparityFloor: unit.nullable(),
      excessMeanAbsDisparity: signedUnit.nullable(),
    })
    .optional(),
  pairedResamples: count.optional(),
  biasVsTeacherInterval: pair.optional(),
  excessBiasVsTeacherInterval: pair.optional(),
  excessChangeVsTeacherInterval: pair.optional(),
  accuracyVsTeacherInterval: pair.optional(),
  flipRateVsTeacherInterval: pair.optional(),
  flipRateChangeVsTeacherInterval: pair.optional(),
  flipRateReductionInterval: pair.optional(),
  biasReductionInterval: pair.optional(),
  excessBiasReductionInterval: pair.optional(),
  accuracyChangeInterval: pair.optional(),
  // modelKey is dropped: an imported run owns no saved model (see importedRuns).
});

const config = z.object({
  name: text(500),
  // The dataset's own fields only: anything else (a 10 MB string, say) would become a storage key.
  dataset: z.discriminatedUnion('kind', [
    z.object({
      kind: z.literal('synthetic'),
      size: count.max(4096),
      examples: count,
      classes: count,
      biasStrength: finite,
      labelNoise: finite,
      cueStrength: finite,
      seed: count.max(2147483647),
      design: z.enum(['pairs', 'shortcut']).optional(),
      hiddenDetail: finite.optional(),
      detailContrast: finite.optional(),
    }),
    z.object({
      kind: z.literal('imported'),
      key: text(500),
      name: text(500),
      size: count.max(4096),
      count: count,
      source: z.enum(['csv', 'wider']),
    }),
  ]),
  teacherModel: text(),
  teacherImport: z.object({ key: text(500), name: text(500) }).optional(),
  lrSchedule: z.enum(['constant', 'cosine']).optional(),
  freezeEpochs: count.max(1000).optional(),
  pretrained: z
    .object({
      teacher: z.object({ name: text(500), bytes: count.max(1e12), sha256: text(64) }).optional(),
      student: z.object({ name: text(500), bytes: count.max(1e12), sha256: text(64) }).optional(),
    })
    .optional(),
  studentModel: text(),
  teacherEpochs: count,
  studentEpochs: count,
  batchSize: count,
  learningRate: finite,
  optimizer: z.enum(['adam', 'sgd']).optional(),
  // The option table's range: a seed the page or the runner would refuse is not imported either.
  seed: count.max(2147483647),
  methods: z
    .array(
      z.object({
        id: z.enum(methodIds),
        params: z.record(text(40), finite).optional(),
        lambdas: z.array(finite).max(1000).optional(),
      }),
    )
    .max(50),
  lambdas: z.array(finite).max(100),
  sweeps: z
    .array(z.object({ method: z.enum(methodIds), param: text(40), values: z.array(finite).max(1000) }))
    .max(20)
    .optional(),
  debias: z.object({
    hidden: count,
    adversaryLr: finite,
    warmupEpochs: count,
    schedule: z.enum(['constant', 'linear']),
    projection: z.boolean(),
    equalizedOdds: z.boolean(),
  }),
  baseline: z.boolean(),
});

const result = z.object({
  config,
  backend: z.object({
    name: z.enum(BACKEND_ORDER),
    forced: z.enum(BACKEND_ORDER).optional(),
    fallbacks: z.array(text(2000)).max(20),
    threads: count.optional(),
    adapter: z
      .object({
        vendor: text(),
        architecture: text(),
        device: text(),
        description: text(500),
        software: z.boolean(),
      })
      .optional(),
    kernels: text(500).optional(),
    kernelThreads: count.optional(),
  }),
  dataset: z.object({
    key: text(500),
    name: text(500),
    count,
    train: count,
    val: count,
    test: count,
    classNames: z.array(text()).min(1).max(1000),
    groupNames: z.tuple([text(), text()]),
    fromCache: z.boolean(),
  }),
  teacher: model,
  students: z.array(model).max(1000),
  failures: z
    .array(z.object({ label: text(), message: text(5000) }))
    .max(1000)
    .optional(),
  recommendations: z
    .array(
      z.looseObject({ method: z.enum(methodIds), lambda: finite.min(0).max(100), label: text(), rule: text(2000) }),
    )
    .max(100)
    .optional(),
  startedAt: z.iso.datetime(),
  seconds: finite.min(0).max(1e9),
});

const run = z.object({
  id: text(200),
  name: text(500),
  createdAt: text(100),
  result,
  notes: text(MAX_NOTES).optional(),
  tags: z.array(text(MAX_TAG)).max(MAX_TAGS).optional(),
});

const exportFile = z.object({
  format: z.literal('fairdistill-lab-runs'),
  version: z.literal(1),
  runs: z.array(z.unknown()).max(MAX_RUNS),
});

/** "runs[2].result.teacher.size.params: must be at most 10000000000" — the first problem, by its path. */
function firstProblem(error: z.ZodError, prefix: string): string {
  const issue = error.issues[0];
  const path = issue.path.reduce<string>(
    (s, p) => (typeof p === 'number' ? `${s}[${p}]` : `${s}${s ? '.' : ''}${String(p)}`),
    prefix,
  );
  return `${path}: ${issue.message}`;
}

/** An exported run with today's field names (an export made before a rename still imports). */
function upgraded(r: unknown): unknown {
  const result = (r as { result?: unknown } | null)?.result;
  if (result && typeof result === 'object') withCurrentFieldNames(result);
  return r;
}

/**
 * Checks an export's text and returns its runs, or throws an Error naming the first bad field.
 * Configs are also checked with the lab's own rules (a run that could never have been made is refused).
 */
export function parseRunsExport(textContent: string): StoredRun[] {
  if (textContent.length > MAX_IMPORT_BYTES)
    throw new Error(
      `The file is ${(textContent.length / 2 ** 20).toFixed(0)} MiB; a runs export of up to ${MAX_IMPORT_BYTES / 2 ** 20} MiB can be imported.`,
    );
  let data: unknown;
  try {
    data = JSON.parse(textContent);
  } catch (e) {
    throw new Error(`The file is not JSON (${(e as Error).message}).`, { cause: e });
  }
  const doc = exportFile.safeParse(data);
  if (!doc.success) {
    const format = (data as { format?: unknown } | null)?.format;
    if (format !== 'fairdistill-lab-runs')
      throw new Error(
        'The file is JSON but not a FairDistill Lab runs export (its "format" is not "fairdistill-lab-runs").',
      );
    throw new Error(`Not imported — ${firstProblem(doc.error, '')}.`);
  }
  return doc.data.runs.map((r, i) => {
    const size = JSON.stringify(r).length;
    if (size > MAX_RUN_BYTES)
      throw new Error(
        `Not imported — runs[${i}] is ${(size / 2 ** 20).toFixed(0)} MiB; one run of up to ${MAX_RUN_BYTES / 2 ** 20} MiB can be imported.`,
      );
    const parsed = run.safeParse(upgraded(r));
    if (!parsed.success) throw new Error(`Not imported — ${firstProblem(parsed.error, `runs[${i}]`)}.`);
    const config = parsed.data.result.config as unknown as StoredRun['result']['config'];
    const problems = [
      ...(config.dataset.kind === 'synthetic' ? validateSyntheticConfig(config.dataset) : []),
      ...validateExperiment(config),
    ];
    if (problems.length) throw new Error(`Not imported — runs[${i}].result.config: ${problems[0]}`);
    return parsed.data as unknown as StoredRun;
  });
}
