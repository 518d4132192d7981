import { readFileSync } from 'node:fs';
import { generateSynthetic } from '../engine/data/synthetic';
import { DEFAULT_RESAMPLES, difference, percentileInterval, resampleFigures } from '../engine/metrics/pairedBootstrap';
import { seedSummary } from '../engine/metrics/tInterval';
import { subSeed } from '../engine/random';
import { SPLIT, type ExperimentResult, type ModelResult, type SyntheticDatasetConfig } from '../engine/types';
import type { RunnerOutput } from './merge';

/**
 * The `lab` preset's story read from its merged sweeps (docs/results/lab.json, lab-temperature.json):
 * per seed and over seeds, the study's three questions — is the teacher biased above its floor, does the
 * CKD student amplify it, does the recommended λ (chosen on validation) take it away for ≤ 1 point — then
 * every method's recommended λ, the temperature trend as paired differences per seed with a t-interval
 * over seeds, the cells' own time per seed, and how many intervals the tables hold. Every number is read
 * from the files; nothing is typed.
 *
 *   npx tsx src/cli/labStory.ts docs/results/lab.json docs/results/lab-temperature.json
 */

type Interval = [number, number] | null | undefined;
const pct = (v: number) => `${v >= 0 ? '+' : '−'}${Math.abs(100 * v).toFixed(0)}`;
const ci = (i: Interval, f: (v: number) => string) => (i ? `[${f(i[0])}, ${f(i[1])}]` : '[—]');
const x100 = (v: number) => (100 * v).toFixed(2);
const signed = (v: number, d = 1) => `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(d)}`;
const excludes0 = (i: Interval) => Boolean(i && (i[0] > 0 || i[1] < 0));

/** Counts the intervals the report prints (so a reader can discount the one in twenty that excludes 0 by chance). */
let printed = 0;
const counted = (i: Interval, f: (v: number) => string) => {
  printed++;
  return ci(i, f);
};

const student = (r: ExperimentResult, label: string) => r.students.find((s) => s.label === label);
/** A series' recommended λ, or undefined when no λ > 0 qualified (the rule then names λ 0). */
const recommended = (r: ExperimentResult, series: string) =>
  (r.recommendations ?? []).find((x) => x.series === series && x.lambda > 0);
/** The excess mean |disparity| (NaN where no class could be measured). */
const excess = (m: ModelResult) => m.fairness.excessMeanAbsDisparity ?? NaN;
const seedOf = (r: ExperimentResult) => r.config.seed;

function perSeed(runs: ExperimentResult[]): string[] {
  const lines = [
    '| seed | teacher top-1 % | teacher excess ×100 [95%] | CKD λ=0 top-1 % (vs teacher) | CKD λ=0 excess vs teacher % [95%] | Δexcess ×100 [95%] | recommended CKD λ (validation) | its excess cut % [95%] | its Δacc pt [95%] |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of runs) {
    const t = r.teacher;
    const s = student(r, 'CKD λ=0')!;
    const rec = recommended(r, 'CKD');
    const recModel = rec ? student(r, rec.label) : undefined;
    lines.push(
      `| ${seedOf(r)} | ${(100 * t.test.accuracy).toFixed(1)} | ${x100(excess(t))} ${counted(t.fairness.interval?.excessMeanAbsDisparity, x100)} | ${(100 * s.test.accuracy).toFixed(1)} (${signed(100 * (s.test.accuracy - t.test.accuracy))}) | ${pct(excess(s) / excess(t) - 1)} ${counted(s.excessBiasVsTeacherInterval, pct)} | ${signed(100 * (excess(s) - excess(t)), 2)} ${counted(s.excessChangeVsTeacherInterval, (v) => signed(100 * v, 2))} | ${rec ? rec.lambda : '0 (none qualified)'} | ${rec ? `${pct(rec.test.excessBiasReduction ?? NaN)} ${counted(recModel?.excessBiasReductionInterval, pct)}` : '—'} | ${rec ? `${signed(rec.test.accuracyChangePoints)} ${counted(recModel?.accuracyChangeInterval, (v) => signed(v))}` : '—'} |`,
    );
  }
  return lines;
}

function recommendedByMethod(runs: ExperimentResult[]): string[] {
  const series = [...new Set(runs[0].students.filter((s) => s.role !== 'baseline').map((s) => s.series ?? s.label))];
  const lines = [`| seed | ${series.join(' | ')} |`, `|---|${series.map(() => '---').join('|')}|`];
  for (const r of runs) {
    const cells = series.map((name) => {
      const rec = recommended(r, name);
      if (!rec) return 'none qualified';
      const m = student(r, rec.label)!;
      return `λ ${rec.lambda}: ${pct(rec.test.excessBiasReduction ?? NaN)} ${counted(m.excessBiasReductionInterval, pct)}, ${signed(rec.test.accuracyChangePoints)} pt`;
    });
    lines.push(`| ${seedOf(r)} | ${cells.join(' | ')} |`);
  }
  return lines;
}

function overSeeds(runs: ExperimentResult[]): string[] {
  const t = (v: number[], f: (x: number) => string) => {
    const s = seedSummary(v);
    printed++;
    return `${f(s.mean)} ${ci(s.interval, f)}`;
  };
  const teacherExcess = runs.map((r) => excess(r.teacher));
  const ckd = runs.map((r) => student(r, 'CKD λ=0')!);
  const rel = ckd.map((s, i) => excess(s) / teacherExcess[i] - 1);
  const abs = ckd.map((s, i) => excess(s) - teacherExcess[i]);
  return [
    `- teacher excess ×100: ${t(teacherExcess, x100)}`,
    `- CKD λ=0 excess vs teacher %: ${t(rel, pct)}; Δexcess ×100: ${t(abs, (v) => signed(100 * v, 2))}`,
    `- CKD λ=0 top-1 vs teacher, points: ${t(
      ckd.map((s, i) => 100 * (s.test.accuracy - runs[i].teacher.test.accuracy)),
      (v) => signed(v),
    )}`,
  ];
}

function targets(runs: ExperimentResult[]): string[] {
  const n = runs.length;
  const teacherMet = runs.filter((r) => excludes0(r.teacher.fairness.interval?.excessMeanAbsDisparity)).length;
  const amplifies = runs.filter((r) => {
    const s = student(r, 'CKD λ=0')!;
    const rel = excess(s) / excess(r.teacher) - 1;
    const i = s.excessBiasVsTeacherInterval;
    return rel >= 0.3 && i && i[0] > 0 && Math.abs(s.test.accuracy - r.teacher.test.accuracy) <= 0.03;
  }).length;
  const cut = runs.filter((r) => {
    const rec = recommended(r, 'CKD');
    const m = rec && student(r, rec.label);
    return (
      rec &&
      m &&
      (rec.test.excessBiasReduction ?? NaN) >= 0.35 &&
      m.excessBiasReductionInterval &&
      m.excessBiasReductionInterval[0] > 0 &&
      rec.test.accuracyChangePoints >= -1
    );
  }).length;
  return [
    `- The teacher's excess interval excludes 0 in ${teacherMet} of ${n} seeds.`,
    `- The CKD student (λ 0) amplifies it by ≥ 30% with an interval above 0, accuracy within 3 points, in ${amplifies} of ${n} seeds.`,
    `- The recommended CKD λ cuts the excess by ≥ 35% with an interval above 0 for ≤ 1 point in ${cut} of ${n} seeds.`,
  ];
}

/** The test labels of a run of the built-in data, in the order of its models' testPredictions. */
function testLabelsOf(r: ExperimentResult) {
  const data = generateSynthetic(r.config.dataset as SyntheticDatasetConfig);
  const test = [...data.split.keys()].filter((i) => data.split[i] === SPLIT.test);
  return {
    labels: test.map((i) => data.labels[i]),
    groups: test.map((i) => data.groups[i]),
    classes: data.classNames.length,
  };
}

function temperature(runs: ExperimentResult[]): string[] {
  const lines = [
    '| seed | excess ×100 at T 1 / 2 / 4 / 8 | T4 − T1 ×100 [95%, paired] | T8 − T4 ×100 [95%, paired] |',
    '|---|---|---|---|',
  ];
  const d41: number[] = [];
  const d84: number[] = [];
  for (const r of runs) {
    const at = (T: number) => student(r, `CKD T=${T} λ=0`)!;
    const models: ModelResult[] = [1, 2, 4, 8].map(at);
    // The same resamples as the run's own intervals: its bootstrap seed.
    const f = resampleFigures(
      testLabelsOf(r),
      models.map((m) => m.testPredictions!),
      DEFAULT_RESAMPLES,
      subSeed(r.config.seed, 'bootstrap'),
    );
    const e = models.map(excess);
    d41.push(e[2] - e[0]);
    d84.push(e[3] - e[2]);
    const i41 = percentileInterval(difference(f[2].excessMeanAbsDisparity, f[0].excessMeanAbsDisparity));
    const i84 = percentileInterval(difference(f[3].excessMeanAbsDisparity, f[2].excessMeanAbsDisparity));
    lines.push(
      `| ${seedOf(r)} | ${e.map(x100).join(' / ')} | ${signed(100 * d41[d41.length - 1], 2)} ${counted(i41, (v) => signed(100 * v, 2))} | ${signed(100 * d84[d84.length - 1], 2)} ${counted(i84, (v) => signed(100 * v, 2))} |`,
    );
  }
  const s41 = seedSummary(d41);
  const s84 = seedSummary(d84);
  printed += 2;
  const f = (v: number) => signed(100 * v, 2);
  lines.push(
    '',
    `Over seeds (mean, 95% t-interval, ×100): T4 − T1 ${f(s41.mean)} ${ci(s41.interval, f)}; T8 − T4 ${f(s84.mean)} ${ci(s84.interval, f)}. T4 below T1 in ${d41.filter((d) => d < 0).length} of ${d41.length} seeds; T8 above T4 in ${d84.filter((d) => d > 0).length} of ${d84.length}.`,
  );
  return lines;
}

/** One seed's time for the whole grid, from the cells' own training and evaluation seconds. */
function timePerSeed(lab: ExperimentResult[], temp: ExperimentResult[]): string[] {
  return lab.map((r, i) => {
    const t = temp.find((x) => seedOf(x) === seedOf(r));
    const teacher = r.teacher.trainSeconds ?? 0;
    const students = r.students.reduce((a, s) => a + (s.trainSeconds ?? 0), 0);
    const tempStudents = t ? t.students.reduce((a, s) => a + (s.trainSeconds ?? 0), 0) : 0;
    const all = (r.seconds ?? 0) + (t?.seconds ?? 0);
    return `- seed ${seedOf(r)}: teacher ${teacher.toFixed(0)} s of training; ${r.students.length} λ-grid students ${(students / 60).toFixed(0)} min, ${t?.students.length ?? 0} temperature students ${(tempStudents / 60).toFixed(0)} min; the cells' compute time in all ${(all / 60).toFixed(0)} min (one thread)${i === 0 ? ' — training, evaluation and the teacher each cell loads' : ''}.`;
  });
}

export function labStory(lab: RunnerOutput, temp: RunnerOutput): string {
  printed = 0;
  const runs = [...lab.runs].sort((a, b) => seedOf(a) - seedOf(b));
  const truns = [...temp.runs].sort((a, b) => seedOf(a) - seedOf(b));
  const sections = [
    '#### Per seed (paired bootstrap intervals of that seed)',
    ...perSeed(runs),
    '',
    '#### Over seeds (mean, 95% t-interval)',
    ...overSeeds(runs),
    '',
    '#### The study’s three questions',
    ...targets(runs),
    '',
    '#### Every method’s recommended λ (chosen on validation; test: excess cut [95%], Δacc)',
    ...recommendedByMethod(runs),
    '',
    '#### Temperature (CKD, λ 0): paired differences of excess',
    ...temperature(truns),
    '',
    '#### Time per seed (this CPU)',
    ...timePerSeed(runs, truns),
  ];
  return `${sections.join('\n')}\n\nThese tables hold ${printed} intervals; at 95% about ${Math.round(printed / 20)} of them would exclude 0 by chance alone.\n`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [labPath, tempPath] = process.argv.slice(2);
  if (!labPath || !tempPath) throw new Error('Usage: tsx src/cli/labStory.ts lab.json lab-temperature.json');
  const read = (p: string) => JSON.parse(readFileSync(p, 'utf8')) as RunnerOutput;
  process.stdout.write(labStory(read(labPath), read(tempPath)));
}
