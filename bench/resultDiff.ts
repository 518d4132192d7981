/**
 * Two result files compared field by field, leaving out only what differs by nature between two runs of
 * the same cells: wall-clock times and latencies, the backend record, the start time and the commit
 * (bench/labRecheck.ts, bench/widerSweepCheck.ts).
 */
export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export const TIMING = new Set([
  'seconds',
  'trainSeconds',
  'startedAt',
  'backend',
  'commit',
  'epochSeconds',
  'msPerStep',
  'evalSeconds',
  'latencyMs',
  'latencySpreadMs',
]);

/** The fields the later code writes that the sweep's cells lack. */
export function added(a: Json | undefined, b: Json | undefined, path = ''): string[] {
  if (b === undefined) return [];
  if (a === undefined) return [path];
  if (b === null || typeof b !== 'object' || Array.isArray(b)) return [];
  const ao = a as Record<string, Json>;
  return Object.keys(b).flatMap((k) =>
    TIMING.has(k) ? [] : added(ao[k], (b as Record<string, Json>)[k], `${path}.${k}`),
  );
}

/** The paths where two results differ, timings left out. */
export function differences(a: Json | undefined, b: Json | undefined, path = ''): string[] {
  // A figure the later code adds (absent from the sweep's cells) is reported apart, not as a difference.
  if (a === undefined || b === undefined) return [];
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null)
    return Object.is(a, b) ? [] : [path || '(root)'];
  if (Array.isArray(a) !== Array.isArray(b)) return [path];
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].flatMap((k) =>
    TIMING.has(k) ? [] : differences((a as Record<string, Json>)[k], (b as Record<string, Json>)[k], `${path}.${k}`),
  );
}
