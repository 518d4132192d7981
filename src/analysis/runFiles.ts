/**
 * Stored runs as files: a JSON export that imports back (the engine worker checks an import against
 * the full schema, worker/runSchema.ts), and the results table as CSV.
 */
import { seriesOf } from '../engine/plan';
import { biasIncrease, biasReduction } from '../engine/metrics/fairness';
import type { ExperimentResult } from '../engine/types';
import type { StoredRun } from '../engine/types';

export const RUNS_FORMAT = 'fairdistill-lab-runs';
export const RUNS_VERSION = 1;

export function exportRunsJson(runs: StoredRun[]): string {
  return JSON.stringify(
    { format: RUNS_FORMAT, version: RUNS_VERSION, exportedAt: new Date().toISOString(), runs },
    null,
    1,
  );
}

/**
 * A cell: numbers to 6 significant digits (a float's 16-digit tail is noise in a table), text quoted
 * when needed. Text that a spreadsheet would read as a formula (a leading =, +, -, @, tab or carriage
 * return) gets a leading ' as OWASP advises; quoting alone does not stop it. Numbers stay numbers.
 */
export const csvCell = (v: string | number | null) => {
  if (v === null) return '';
  if (typeof v === 'number') return String(Number(v.toPrecision(6)));
  const s = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** The results table of one run, one row per model, with per-class disparity columns. */
export function resultCsv(result: ExperimentResult): string {
  const { header, rows } = resultTable(result);
  return [header, ...rows].map((r) => r.map(csvCell).join(',')).join('\n') + '\n';
}

/**
 * Every stored run in one table: a row per model of each run, led by the run's name and id; the
 * per-class disparity columns are the union of the runs' classes (empty where a run has no such class).
 */
export function runsCsv(runs: StoredRun[]): string {
  const tables = runs.map((r) => ({ run: r, ...resultTable(r.result) }));
  const classColsOf = (t: (typeof tables)[number]) => t.run.result.dataset.classNames.map((c) => `disparity_${c}`);
  const fixed = tables[0] ? tables[0].header.filter((h) => !classColsOf(tables[0]).includes(h)) : [];
  const classCols = [...new Set(tables.flatMap(classColsOf))];
  const header = ['run', 'run_id', ...fixed, ...classCols];
  const rows = tables.flatMap((t) =>
    t.rows.map((row) => {
      const at = (col: string) => row[t.header.indexOf(col)] ?? null;
      return [t.run.name, t.run.id, ...fixed.map(at), ...classCols.map((c) => (t.header.includes(c) ? at(c) : null))];
    }),
  );
  return [header, ...rows].map((r) => r.map(csvCell).join(',')).join('\n') + '\n';
}

/**
 * The rates each fairness gap is built from, long form — a row per model, class and group: Fairlearn's
 * MetricFrame(by_group) of the binary task "is this class" (count, true_positive_rate,
 * false_positive_rate, selection_rate), with the class's gaps beside them. Runs stored before the rates
 * were kept have none (the header alone).
 */
export function groupRatesCsv(result: ExperimentResult): string {
  const header = [
    'role',
    'label',
    'series',
    'lambda',
    'class',
    'group',
    'count',
    'true_positive_rate',
    'false_positive_rate',
    'selection_rate',
    'equal_opportunity_gap',
    'equalized_odds_gap',
    'demographic_parity_gap',
  ];
  const rows = [result.teacher, ...result.students].flatMap((m) =>
    m.fairness.oneVsRest.flatMap((o) =>
      o.byGroup
        ? ([0, 1] as const).map((g) => [
            m.role,
            m.label,
            m.role === 'teacher' ? null : seriesOf(m),
            m.role === 'teacher' ? null : m.lambda,
            result.dataset.classNames[o.classIndex],
            result.dataset.groupNames[g],
            o.byGroup!.count[g],
            o.byGroup!.truePositiveRate[g],
            o.byGroup!.falsePositiveRate[g],
            o.byGroup!.selectionRate[g],
            o.equalOpportunity,
            o.equalizedOdds,
            o.demographicParity,
          ])
        : [],
    ),
  );
  return [header, ...rows].map((r) => r.map(csvCell).join(',')).join('\n') + '\n';
}

/** The run's setup, on every row: a row read alone still says what produced it. */
const SETUP_COLUMNS = [
  'preset',
  'dataset',
  'image_size',
  'data_seed',
  'bias_strength',
  'label_noise',
  'cue_strength',
  'data_design',
  'teacher_model',
  'student_model',
  'teacher_epochs',
  'student_epochs',
  'batch_size',
  'learning_rate',
  'backend',
];

function setupCells(result: ExperimentResult): (string | number | null)[] {
  const c = result.config;
  const d = c.dataset;
  const synthetic = d.kind !== 'imported';
  return [
    c.name,
    synthetic ? 'built-in' : `${d.source === 'wider' ? 'WIDER' : 'folder'}: ${d.name}`,
    c.inputSize ?? d.size,
    synthetic ? d.seed : null,
    synthetic ? d.biasStrength : null,
    synthetic ? d.labelNoise : null,
    synthetic ? d.cueStrength : null,
    synthetic ? (d.design ?? 'pairs') : null,
    c.teacherModel,
    c.studentModel,
    c.teacherEpochs,
    c.studentEpochs,
    c.batchSize,
    c.learningRate,
    result.backend?.name ?? null,
  ];
}

function resultTable(result: ExperimentResult): { header: string[]; rows: (string | number | null)[][] } {
  const models = [result.teacher, ...result.students];
  const header = [
    'role',
    'label',
    'method',
    'series',
    'method_params',
    'lambda',
    'seed',
    'params',
    'accuracy',
    'weighted_recall',
    'weighted_precision',
    'weighted_f1',
    'macro_f1',
    'mean_abs_disparity',
    'disparity_ci_low',
    'disparity_ci_high',
    'noise_floor',
    'excess_mean_abs_disparity',
    'excess_ci_low',
    'excess_ci_high',
    'bias_vs_teacher',
    'bias_vs_teacher_ci_low',
    'bias_vs_teacher_ci_high',
    'excess_bias_vs_teacher',
    'excess_bias_vs_teacher_ci_low',
    'excess_bias_vs_teacher_ci_high',
    'excess_change_vs_teacher',
    'excess_change_vs_teacher_ci_low',
    'excess_change_vs_teacher_ci_high',
    'excess_reduction_vs_lambda0',
    'excess_reduction_ci_low',
    'excess_reduction_ci_high',
    'accuracy_change_vs_lambda0_points',
    'accuracy_change_ci_low_points',
    'accuracy_change_ci_high_points',
    'mean_equalized_odds_gap',
    'mean_demographic_parity_gap',
    'bias_amplification',
    'worst_group_accuracy',
    'counterfactual_flip_rate',
    'flip_rate_ci_low',
    'flip_rate_ci_high',
    'flip_rate_change_vs_teacher_points',
    'flip_rate_change_ci_low_points',
    'flip_rate_change_ci_high_points',
    'bytes_float32',
    'bytes_float16',
    'bytes_uint8',
    'mflops',
    'latency_ms',
    'latency_fastest_ms',
    'latency_slowest_ms',
    'compression_vs_teacher',
    'speedup_vs_teacher',
    ...SETUP_COLUMNS,
    ...result.dataset.classNames.map((c) => `disparity_${c}`),
  ];
  const setup = setupCells(result);
  const teacherFlip = result.teacher.fairness.counterfactualFlipRate ?? null;
  const teacherLatency = result.teacher.size.latencyMs;
  const rows = models.map((m) => {
    const f = m.fairness;
    const perClass = new Map(f.perClass.map((c) => [c.classIndex, c.disparity]));
    const t = result.teacher.fairness.excessMeanAbsDisparity ?? null;
    const undebiased =
      m.role === 'student' && m.lambda > 0
        ? result.students.find((u) => u.role === 'student' && seriesOf(u) === seriesOf(m) && u.lambda === 0)
        : undefined;
    return [
      m.role,
      m.label,
      m.method,
      m.role === 'teacher' ? null : seriesOf(m),
      m.params
        ? Object.entries(m.params)
            .map(([k, v]) => `${k}=${v}`)
            .join(';')
        : null,
      m.role === 'teacher' ? null : m.lambda, // the teacher is not distilled: it has no λ
      result.config.seed,
      m.size.params,
      m.test.accuracy,
      m.test.weighted.recall,
      m.test.weighted.precision,
      m.test.weighted.f1,
      m.test.macro.f1,
      f.meanAbsDisparity,
      f.interval?.meanAbsDisparity?.[0] ?? null,
      f.interval?.meanAbsDisparity?.[1] ?? null,
      f.meanAbsDisparityFloor ?? null,
      f.excessMeanAbsDisparity ?? null,
      f.interval?.excessMeanAbsDisparity?.[0] ?? null,
      f.interval?.excessMeanAbsDisparity?.[1] ?? null,
      m.role === 'teacher' ? null : biasIncrease(f.meanAbsDisparity, result.teacher.fairness.meanAbsDisparity),
      m.biasVsTeacherInterval?.[0] ?? null,
      m.biasVsTeacherInterval?.[1] ?? null,
      m.role === 'teacher'
        ? null
        : biasIncrease(f.excessMeanAbsDisparity ?? null, result.teacher.fairness.excessMeanAbsDisparity ?? null),
      m.excessBiasVsTeacherInterval?.[0] ?? null,
      m.excessBiasVsTeacherInterval?.[1] ?? null,
      m.role === 'teacher' || f.excessMeanAbsDisparity == null || t === null ? null : f.excessMeanAbsDisparity - t,
      m.excessChangeVsTeacherInterval?.[0] ?? null,
      m.excessChangeVsTeacherInterval?.[1] ?? null,
      undebiased
        ? biasReduction(f.excessMeanAbsDisparity ?? null, undebiased.fairness.excessMeanAbsDisparity ?? null)
        : null,
      m.excessBiasReductionInterval?.[0] ?? null,
      m.excessBiasReductionInterval?.[1] ?? null,
      undebiased ? 100 * (m.test.accuracy - undebiased.test.accuracy) : null,
      m.accuracyChangeInterval?.[0] ?? null,
      m.accuracyChangeInterval?.[1] ?? null,
      f.meanEqualizedOdds,
      f.meanDemographicParity,
      f.biasAmplification,
      f.worstGroupAccuracy,
      f.counterfactualFlipRate ?? null,
      f.interval?.counterfactualFlipRate?.[0] ?? null,
      f.interval?.counterfactualFlipRate?.[1] ?? null,
      m.role === 'teacher' || f.counterfactualFlipRate == null || teacherFlip === null
        ? null
        : 100 * (f.counterfactualFlipRate - teacherFlip),
      m.flipRateChangeVsTeacherInterval?.[0] ?? null,
      m.flipRateChangeVsTeacherInterval?.[1] ?? null,
      m.size.bytesFloat32,
      m.size.bytesFloat16,
      m.size.bytesUint8,
      m.size.flops / 1e6,
      m.size.latencyMs ?? null,
      m.size.latencySpreadMs?.[0] ?? null,
      m.size.latencySpreadMs?.[1] ?? null,
      m.role === 'teacher' ? null : result.teacher.size.params / m.size.params,
      m.role === 'teacher' || !teacherLatency || !m.size.latencyMs ? null : teacherLatency / m.size.latencyMs,
      ...setup,
      ...result.dataset.classNames.map((_, i) => perClass.get(i) ?? null),
    ];
  });
  return { header, rows };
}
