import type { ModelResult } from '../engine/types';
import { biasIncrease } from '../engine/metrics/fairness';
import type { Timing } from '../analysis/architectureTiming';
import { changeBound, changeText, reductionBound, reductionText } from '../analysis/reduction';

/** The results table's cells: a figure with its interval, a change, a reduction, the speed-up. */

export const signedPoints = (d: number) => `${d >= 0 ? '+' : ''}${(100 * d).toFixed(1)} pt`;

/**
 * The speed-up over the teacher, with its range from the two models' fastest and slowest batches; none
 * when the ranges overlap (then the timing cannot tell the two apart).
 */
export function speedUp(t: Timing, m: Timing): string {
  if (!t.latencyMs || !m.latencyMs) return '';
  if (!t.latencySpreadMs || !m.latencySpreadMs) return ` · ${(t.latencyMs / m.latencyMs).toFixed(1)}× faster`;
  const [tLo, tHi] = t.latencySpreadMs;
  const [mLo, mHi] = m.latencySpreadMs;
  if (tLo <= mHi) return ' · speed: within timing noise';
  return ` · ${(t.latencyMs / m.latencyMs).toFixed(1)}× faster (${(tLo / mHi).toFixed(1)}–${(tHi / mLo).toFixed(1)})`;
}

/** A gap ×100 to two decimals; "—" where it is not defined. */
export const hundred = (v: number | null | undefined, signed = false) =>
  v == null ? '—' : `${signed && v > 0 ? '+' : ''}${(100 * v).toFixed(2)}`;

export const kb = (bytes: number) => (bytes / 1024).toFixed(bytes < 10_240 ? 1 : 0);

/** A figure ×100 with its 95% interval below it, or "not measurable". */
export function WithInterval({
  value,
  interval,
  metric,
  digits = 2,
}: {
  value: number | null;
  interval?: [number, number] | null;
  metric: string;
  digits?: number;
}) {
  if (value === null)
    return (
      <span className="muted" data-metric={metric}>
        not measurable
      </span>
    );
  return (
    <>
      <span data-metric={metric}>{(100 * value).toFixed(digits)}</span>
      {interval && (
        <span className="ci" data-interval={metric}>
          [{(100 * interval[0]).toFixed(1)}, {(100 * interval[1]).toFixed(1)}]
        </span>
      )}
    </>
  );
}

/** A relative change (+12%) with its paired interval, coloured by direction. */
export function Change({
  value,
  interval,
  lowerIsWorse = false,
}: {
  value: number | null;
  interval?: [number, number] | null;
  lowerIsWorse?: boolean;
}) {
  if (value === null) return <span className="muted">not measurable</span>;
  const worse = lowerIsWorse ? value < 0 : value > 0;
  const text = changeText(value);
  return (
    <span className={worse ? 'worse' : 'better'}>
      {text.replace(' (below the floor)', '')}
      {text.endsWith('(below the floor)') && <span className="ci note">below the floor</span>}
      {interval && (
        <span className="ci">
          [{changeBound(interval[0])}, {changeBound(interval[1])}]
        </span>
      )}
    </span>
  );
}

/** A reduction against λ = 0: "all" where it reaches the floor or passes it, never "+102%". */
export function Reduction({ value, interval }: { value: number | null; interval?: [number, number] | null }) {
  if (value === null) return <span className="muted">not measurable</span>;
  return (
    <span className={value < 0 ? 'worse' : 'better'} data-reduction={value}>
      {reductionText(value)}
      {interval && (
        <span className="ci">
          [{reductionBound(interval[0])}, {reductionBound(interval[1])}]
        </span>
      )}
    </span>
  );
}

/**
 * The student's excess against the teacher's: relative where the teacher has bias above its floor; else
 * (a fair teacher, as on quick) the absolute change leads, with its paired interval — never a bare
 * "not measurable" where the amplification is plain.
 */
export function ExcessVsTeacher({ m, teacher }: { m: ModelResult; teacher: ModelResult }) {
  const s = m.fairness.excessMeanAbsDisparity ?? null;
  const t = teacher.fairness.excessMeanAbsDisparity ?? null;
  const rel = biasIncrease(s, t);
  if (rel !== null || s === null || t === null) return <Change value={rel} interval={m.excessBiasVsTeacherInterval} />;
  const change = s - t;
  const i = m.excessChangeVsTeacherInterval;
  const signed = (v: number) => `${v >= 0 ? '+' : '−'}${Math.abs(100 * v).toFixed(1)}`;
  return (
    <span
      className={change > 0 ? 'worse' : 'better'}
      data-absolute="true"
      title="The teacher shows no bias above its noise floor, so a relative change is not defined: this is the absolute change of the excess (×100), with its paired interval."
    >
      {signed(change)} ×100
      {i && (
        <span className="ci">
          [{signed(i[0])}, {signed(i[1])}]
        </span>
      )}
      <span className="ci note">absolute: the teacher has no excess</span>
    </span>
  );
}
