import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ExperimentResult } from '../engine/types';
import { labStory } from './labStory';
import type { RunnerOutput } from './merge';

/**
 * The lab story's tables are read from the merged sweeps, not typed: checked against the committed files
 * figure by figure (each seed's teacher excess and its interval, the CKD λ = 0 change, the temperature
 * differences and their mean over seeds), and the count of intervals it states against the ones it prints.
 */
const read = (p: string) => JSON.parse(readFileSync(p, 'utf8')) as RunnerOutput;
const lab = read('docs/results/lab.json');
const temp = read('docs/results/lab-temperature.json');
const text = labStory(lab, temp);
const x100 = (v: number) => (100 * v).toFixed(2);
const student = (r: ExperimentResult, label: string) => r.students.find((s) => s.label === label)!;

describe('the lab story', () => {
  it('prints each seed’s teacher excess with its interval and the CKD student’s change, from the files', () => {
    for (const r of lab.runs) {
      const t = r.teacher.fairness;
      const i = t.interval!.excessMeanAbsDisparity!;
      const line = text
        .split('\n')
        .find((l) => l.startsWith(`| ${r.config.seed} | ${(100 * r.teacher.test.accuracy).toFixed(1)} |`))!;
      expect(line).toContain(`| ${x100(t.excessMeanAbsDisparity!)} [${x100(i[0])}, ${x100(i[1])}] |`);
      const change = student(r, 'CKD λ=0').fairness.excessMeanAbsDisparity! - t.excessMeanAbsDisparity!;
      expect(line).toContain(`${change >= 0 ? '+' : '−'}${Math.abs(100 * change).toFixed(2)} [`);
    }
  });

  it('the temperature differences per seed and their mean over seeds are the files’ own', () => {
    const d = temp.runs.map(
      (r) =>
        student(r, 'CKD T=4 λ=0').fairness.excessMeanAbsDisparity! -
        student(r, 'CKD T=1 λ=0').fairness.excessMeanAbsDisparity!,
    );
    const mean = d.reduce((a, b) => a + b, 0) / d.length;
    expect(text).toContain(`T4 − T1 ${mean >= 0 ? '+' : '−'}${Math.abs(100 * mean).toFixed(2)} [`);
    expect(text).toContain(`T4 below T1 in ${d.filter((v) => v < 0).length} of ${d.length} seeds`);
  });

  it('states how many intervals its tables hold, and that is how many it prints', () => {
    const printed = (text.match(/\[[−+]?[\d.]+%?, [−+]?[\d.]+%?\]|\[—\]/g) ?? []).length;
    expect(text).toContain(`These tables hold ${printed} intervals`);
  });
});
