import { biasIncrease, METRIC_DESCRIPTIONS } from '../engine/metrics/fairness';
import type { ModelResult } from '../engine/types';
import { useLab } from '../store/labStore';
import { int, pct, signedPct } from './format';

const COLUMNS: { key: string; label: string; title?: string }[] = [
  { key: 'model', label: 'Model' },
  { key: 'params', label: 'Params' },
  { key: 'top1', label: 'Top-1 %' },
  { key: 'recall', label: 'Recall %', title: 'Support-weighted recall, as the study reported' },
  { key: 'precision', label: 'Precision %', title: 'Support-weighted precision' },
  { key: 'f1', label: 'F1 %', title: 'Support-weighted F1' },
  { key: 'macroF1', label: 'Macro F1 %', title: 'Mean F1 over classes' },
  { key: 'disp', label: 'Mean |disp.| ×100', title: METRIC_DESCRIPTIONS.meanAbsDisparity },
  { key: 'ci', label: '95% interval', title: METRIC_DESCRIPTIONS.interval },
  { key: 'inc', label: 'Bias vs teacher', title: METRIC_DESCRIPTIONS.biasIncrease },
  { key: 'worst', label: 'Worst group %', title: METRIC_DESCRIPTIONS.worstGroupAccuracy },
  {
    key: 'kb',
    label: 'KB f32 / f16 / u8',
    title: 'Weights in float32, float16, and uint8 (1 byte per weight plus a float32 minimum and scale per tensor)',
  },
  { key: 'flops', label: 'MFLOPs', title: 'Per image: 2 × the multiply-accumulates of convolutions and dense layers' },
  {
    key: 'latency',
    label: 'ms / image',
    title: 'Median inference latency per image (batch 32, after a warm-up) on the backend this run used',
  },
  {
    key: 'vs',
    label: 'vs teacher',
    title: 'Compression ratio (teacher params / params) and speed-up (teacher latency / latency)',
  },
];

const kb = (bytes: number) => (bytes / 1024).toFixed(bytes < 10_240 ? 1 : 0);

function Row({ m, teacher, selected }: { m: ModelResult; teacher?: ModelResult; selected: boolean }) {
  const f = m.fairness;
  const inc =
    teacher && m.role !== 'teacher' ? biasIncrease(f.meanAbsDisparity, teacher.fairness.meanAbsDisparity) : null;
  return (
    <tr
      data-testid={`result-row-${m.role}`}
      data-label={m.label}
      className={selected ? 'selected' : undefined}
      aria-selected={selected}
    >
      <th scope="row">
        <span className={`role role-${m.role}`}>{m.role}</span> {m.label}
      </th>
      <td data-metric="params">{int(m.size.params)}</td>
      <td data-metric="accuracy">{pct(m.test.accuracy)}</td>
      <td data-metric="recall">{pct(m.test.weighted.recall)}</td>
      <td data-metric="precision">{pct(m.test.weighted.precision)}</td>
      <td data-metric="f1">{pct(m.test.weighted.f1)}</td>
      <td data-metric="macroF1">{pct(m.test.macro.f1)}</td>
      <td data-metric="disparity">{(100 * f.meanAbsDisparity).toFixed(2)}</td>
      <td className="muted">
        {f.interval
          ? `${(100 * f.interval.meanAbsDisparity[0]).toFixed(1)}–${(100 * f.interval.meanAbsDisparity[1]).toFixed(1)}`
          : '—'}
      </td>
      <td data-metric="biasIncrease" className={inc !== null && inc > 0 ? 'worse' : inc !== null ? 'better' : ''}>
        {m.role === 'teacher' ? 'reference' : signedPct(inc)}
      </td>
      <td>{pct(f.worstGroupAccuracy)}</td>
      <td data-metric="kb">
        {kb(m.size.bytesFloat32)} / {kb(m.size.bytesFloat16)} / {kb(m.size.bytesUint8)}
      </td>
      <td data-metric="flops">{(m.size.flops / 1e6).toFixed(2)}</td>
      <td data-metric="latency">{m.size.latencyMs === undefined ? '—' : m.size.latencyMs.toFixed(3)}</td>
      <td data-metric="vs">
        {teacher && m.role !== 'teacher'
          ? `${(teacher.size.params / m.size.params).toFixed(1)}× smaller${m.size.latencyMs && teacher.size.latencyMs ? ` · ${(teacher.size.latencyMs / m.size.latencyMs).toFixed(1)}× faster` : ''}`
          : 'reference'}
      </td>
    </tr>
  );
}

export function ResultsTable() {
  const result = useLab((s) => s.result);
  const partial = useLab((s) => s.partial);
  const view = useLab((s) => s.view);
  const liveFailures = useLab((s) => s.failures);
  const failures = result?.failures ?? liveFailures;
  const models = result ? [result.teacher, ...result.students] : partial;
  if (!models.length) return null;
  const teacher = models.find((m) => m.role === 'teacher');
  const skipped = new Set(models.flatMap((m) => m.fairness.skippedClasses));
  const classNames = result?.dataset.classNames;
  return (
    <section className="card">
      <div className="card-head">
        <h2>Results on the test split</h2>
        {result && (
          <span className="muted">
            {result.dataset.test} test images · {result.backend.name} · {Math.round(result.seconds)} s
          </span>
        )}
      </div>
      <div className="table-wrap">
        <table className="results" data-testid="results-table">
          <thead>
            <tr>
              {COLUMNS.map((c) => (
                <th key={c.key} scope="col" title={c.title}>
                  {c.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {models.map((m) => (
              <Row
                key={m.label}
                m={m}
                teacher={teacher}
                selected={!!view && m.role === 'student' && m.method === view.method && m.lambda === view.lambda}
              />
            ))}
          </tbody>
        </table>
      </div>
      {failures.length > 0 && (
        <ul className="failures" role="alert" data-testid="run-failures">
          {failures.map((f) => (
            <li key={f.label}>{f.message} The sweep went on without this student.</li>
          ))}
        </ul>
      )}
      <p className="footnote">
        Disparity of a class = recall for {result?.dataset.groupNames[0] ?? 'group A'} − recall for{' '}
        {result?.dataset.groupNames[1] ?? 'group B'}.{' '}
        {skipped.size > 0
          ? `Skipped in the mean (a group had no test example): ${[...skipped].map((c) => classNames?.[c] ?? c).join(', ')}.`
          : 'Every class had test examples of both groups, so none was skipped.'}
      </p>
    </section>
  );
}
