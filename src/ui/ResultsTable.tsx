import { useState } from 'react';
import { biasIncrease, biasReduction, METRIC_DESCRIPTIONS } from '../engine/metrics/fairness';
import type { ModelResult } from '../engine/types';
import { seriesOf } from '../engine/plan';
import { takeaway } from '../analysis/takeaway';
import { useLab } from '../store/labStore';
import { int, pct } from './format';
import { Change, ExcessVsTeacher, hundred, kb, Reduction, signedPoints, speedUp, WithInterval } from './ResultCells';
import { architectureTimings, type Timing } from '../analysis/architectureTiming';
import { stableStringify } from '../engine/data/key';

const COLUMNS: { key: string; label: string; title?: string }[] = [
  { key: 'model', label: 'Model' },
  { key: 'top1', label: 'Top-1 %' },
  { key: 'recall', label: 'Recall %', title: 'Support-weighted recall, as the study reported' },
  { key: 'precision', label: 'Precision %', title: 'Support-weighted precision' },
  { key: 'f1', label: 'F1 %', title: 'Support-weighted F1' },
  { key: 'macroF1', label: 'Macro F1 %', title: 'Mean F1 over classes' },
  {
    key: 'disp',
    label: 'Mean |disp.| ×100 [95%]',
    title: `${METRIC_DESCRIPTIONS.meanAbsDisparity} ${METRIC_DESCRIPTIONS.interval}`,
  },
  { key: 'floor', label: 'Noise floor ×100', title: METRIC_DESCRIPTIONS.noiseFloor },
  { key: 'excess', label: 'Excess ×100 [95%]', title: METRIC_DESCRIPTIONS.excess },
  { key: 'inc', label: 'Bias vs teacher [95%]', title: `${METRIC_DESCRIPTIONS.biasIncrease} Paired interval.` },
  {
    key: 'excessInc',
    label: 'Excess vs teacher [95%]',
    title:
      'The same comparison on the excess over the noise floor: what is left once sampling noise is taken out. “not measurable” when the teacher shows no bias above its floor.',
  },
  {
    key: 'red',
    label: 'Excess reduction vs λ=0 [95%]',
    title: `${METRIC_DESCRIPTIONS.biasReduction} Here on the excess over the noise floor, with its paired interval and the accuracy change in points.`,
  },
  { key: 'flip', label: 'Flip rate % [95%]', title: `${METRIC_DESCRIPTIONS.flipRate} Built-in shortcut design only.` },
  { key: 'worst', label: 'Worst group %', title: METRIC_DESCRIPTIONS.worstGroupAccuracy },
  { key: 'eo', label: 'EO gap ×100', title: METRIC_DESCRIPTIONS.equalizedOdds },
  { key: 'dp', label: 'DP gap ×100', title: METRIC_DESCRIPTIONS.demographicParity },
  { key: 'amp', label: 'Bias amp. ×100', title: METRIC_DESCRIPTIONS.biasAmplification },
  { key: 'params', label: 'Params' },
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

/** Columns the compact table hides (1-based, as styles.css's nth-child rules count them), and the group spans. */
const FULL_SPANS = { accuracy: 5, fairness: 11, cost: 5 } as const;
const COMPACT_SPANS = { accuracy: 1, fairness: 7, cost: 1 } as const;

function Row({
  m,
  teacher,
  undebiased,
  selected,
  timing,
}: {
  m: ModelResult;
  teacher?: ModelResult;
  undebiased?: ModelResult;
  selected: boolean;
  /** The pooled timing of a model's architecture (every twin reads the same speed). */
  timing: (m: ModelResult) => Timing;
}) {
  const f = m.fairness;
  const student = teacher && m.role !== 'teacher';
  const t = teacher?.fairness;
  const u = undebiased?.fairness;
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
      <td data-metric="accuracy">{pct(m.test.accuracy)}</td>
      <td data-metric="recall">{pct(m.test.weighted.recall)}</td>
      <td data-metric="precision">{pct(m.test.weighted.precision)}</td>
      <td data-metric="f1">{pct(m.test.weighted.f1)}</td>
      <td data-metric="macroF1">{pct(m.test.macro.f1)}</td>
      <td>
        <WithInterval metric="disparity" value={f.meanAbsDisparity} interval={f.interval?.meanAbsDisparity} />
      </td>
      <td data-metric="floor">{f.meanAbsDisparityFloor == null ? '—' : (100 * f.meanAbsDisparityFloor).toFixed(2)}</td>
      <td>
        <WithInterval
          metric="excess"
          value={f.excessMeanAbsDisparity ?? null}
          interval={f.interval?.excessMeanAbsDisparity}
        />
      </td>
      <td data-metric="biasIncrease">
        {student ? (
          <Change value={biasIncrease(f.meanAbsDisparity, t!.meanAbsDisparity)} interval={m.biasVsTeacherInterval} />
        ) : (
          'reference'
        )}
      </td>
      <td data-metric="excessBiasIncrease">{student ? <ExcessVsTeacher m={m} teacher={teacher!} /> : 'reference'}</td>
      <td data-metric="excessReduction">
        {u && m !== undebiased ? (
          <>
            <Reduction
              value={biasReduction(f.excessMeanAbsDisparity ?? null, u.excessMeanAbsDisparity ?? null)}
              interval={m.excessBiasReductionInterval}
            />
            <span className="ci note">
              Δacc {signedPoints(m.test.accuracy - undebiased!.test.accuracy)}
              {m.accuracyChangeInterval &&
                ` [${m.accuracyChangeInterval.map((v) => `${v >= 0 ? '+' : ''}${v.toFixed(1)}`).join(', ')}] pt`}
            </span>
          </>
        ) : (
          '—'
        )}
      </td>
      <td>
        {f.counterfactualFlipRate == null ? (
          <span className="muted">—</span>
        ) : (
          <WithInterval
            metric="flipRate"
            digits={1}
            value={f.counterfactualFlipRate}
            interval={f.interval?.counterfactualFlipRate}
          />
        )}
      </td>
      <td>{pct(f.worstGroupAccuracy)}</td>
      <td data-metric="eo">{hundred(f.meanEqualizedOdds)}</td>
      <td data-metric="dp">{hundred(f.meanDemographicParity)}</td>
      <td data-metric="amp">{hundred(f.biasAmplification, true)}</td>
      <td data-metric="params">{int(m.size.params)}</td>
      <td data-metric="kb">
        {kb(m.size.bytesFloat32)} / {kb(m.size.bytesFloat16)} / {kb(m.size.bytesUint8)}
      </td>
      <td data-metric="flops">{(m.size.flops / 1e6).toFixed(2)}</td>
      <td>
        <span data-metric="latency">{m.size.latencyMs === undefined ? '—' : m.size.latencyMs.toFixed(3)}</span>
        {m.size.latencySpreadMs && (
          <span className="ci" title="fastest and slowest of 7 timed batches after a warm-up">
            {m.size.latencySpreadMs[0].toFixed(3)}–{m.size.latencySpreadMs[1].toFixed(3)}
          </span>
        )}
      </td>
      <td data-metric="vs">
        {teacher && m.role !== 'teacher'
          ? `${(teacher.size.params / m.size.params).toFixed(1)}× smaller${speedUp(timing(teacher), timing(m))}`
          : 'reference'}
      </td>
    </tr>
  );
}

export function ResultsTable() {
  const result = useLab((s) => s.result);
  const config = useLab((s) => s.config);
  const status = useLab((s) => s.status);
  const partial = useLab((s) => s.partial);
  const view = useLab((s) => s.view);
  const liveFailures = useLab((s) => s.failures);
  const [allColumns, setAllColumns] = useState(false);
  const failures = result?.failures ?? liveFailures;
  const models = result ? [result.teacher, ...result.students] : partial;
  if (!models.length) return null;
  const span = (group: keyof typeof COMPACT_SPANS) => (allColumns ? FULL_SPANS[group] : COMPACT_SPANS[group]);
  const teacher = models.find((m) => m.role === 'teacher');
  const skipped = new Set(models.flatMap((m) => m.fairness.skippedClasses));
  const summary = result ? takeaway(result) : null;
  const classNames = result?.dataset.classNames;
  const timing = architectureTimings(models);
  // The open run and the setup on the left may differ (a stored run opened, then settings changed): say so.
  const otherSetup = result && status === 'idle' && stableStringify(result.config) !== stableStringify(config);
  return (
    <section className="card">
      <div className="card-head">
        <h2>Results on the test split</h2>
        {result && (
          <span className="muted">
            {result.dataset.test} test images · {result.backend.name} · {Math.round(result.seconds)} s
          </span>
        )}
        <label
          className="toggles"
          title="Weighted recall, precision and F1, macro F1; worst group, EO and DP gaps, bias amplification; parameters, sizes, MFLOPs and latency"
        >
          <input
            type="checkbox"
            checked={allColumns}
            onChange={(e) => setAllColumns(e.target.checked)}
            data-testid="all-columns"
          />{' '}
          All columns
        </label>
      </div>
      {otherSetup && (
        <p className="muted" data-testid="result-setup-differs">
          These are the results of the run opened here; the setup on the left differs from its setup — Distill runs the
          one on the left (“This run’s setup” below shows this run’s).
        </p>
      )}
      {summary && (
        <p className="takeaway" data-testid="takeaway">
          {summary}
        </p>
      )}
      <div className="table-wrap" tabIndex={0} role="region" aria-label="Results table (scrolls sideways)">
        <table className={allColumns ? 'results' : 'results compact'} data-testid="results-table">
          <thead>
            <tr className="column-groups">
              <th scope="colgroup" />
              <th scope="colgroup" colSpan={span('accuracy')}>
                Accuracy
              </th>
              <th scope="colgroup" colSpan={span('fairness')}>
                Fairness
              </th>
              <th scope="colgroup" colSpan={span('cost')}>
                Cost
              </th>
            </tr>
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
                undebiased={
                  m.role === 'student' && m.lambda > 0
                    ? models.find((u) => u.role === 'student' && seriesOf(u) === seriesOf(m) && u.lambda === 0)
                    : undefined
                }
                selected={!!view && m.role === 'student' && seriesOf(m) === view.series && m.lambda === view.lambda}
                timing={timing}
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
          : 'Every class had test examples of both groups, so none was skipped.'}{' '}
        The noise floor is what a model with the same recall in both groups would still score here from sampling alone;
        the excess above it is the bias the test set cannot explain away. Intervals are 95%, from 1,000 bootstrap
        resamples drawn within each class × group cell, the same for every model of the sweep.
      </p>
    </section>
  );
}
