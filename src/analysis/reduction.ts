/**
 * A reduction (1 − debiased / undebiased) in words: at 100% or past it the debiased figure is at or below
 * its noise floor — everything above the floor is gone — so it reads "all", never "102%" (a cut of more
 * than everything says nothing the reader can use).
 */
const ALL = 0.995;

/** "83%", or "all (to below the floor)" / "all". */
export function reductionText(v: number): string {
  if (v > 1.005) return 'all (to below the floor)';
  if (v >= ALL) return 'all';
  return `${v < 0 ? '−' : ''}${Math.round(Math.abs(100 * v))}%`;
}

/** An interval bound of a reduction: "77%", or "all". */
export function reductionBound(v: number): string {
  return v >= ALL ? 'all' : `${v < 0 ? '−' : ''}${Math.round(Math.abs(100 * v))}%`;
}

/** A reduction with its interval in a table cell: "94% [77%, all]". */
export function reductionCell(v: number, interval?: [number, number] | null): string {
  const head = v >= ALL ? 'all' : reductionBound(v);
  return interval ? `${head} [${reductionBound(interval[0])}, ${reductionBound(interval[1])}]` : head;
}

/**
 * A relative change against a reference (+46%): at −100% or past it the figure is at or below its noise
 * floor — all of the reference's excess gone — so it reads "all gone" (with "below the floor" past it),
 * never "−101%".
 */
export function changeText(v: number): string {
  if (v < -1.005) return 'all gone (below the floor)';
  if (v <= -ALL) return 'all gone';
  return `${v >= 0 ? '+' : '−'}${Math.round(Math.abs(100 * v))}%`;
}

/** An interval bound of a relative change: clamped at −100% (a bound past it is "all gone" too). */
export function changeBound(v: number): string {
  return v <= -ALL ? '−100%' : `${v >= 0 ? '+' : '−'}${Math.round(Math.abs(100 * v))}%`;
}
