import type { ModelResult } from '../engine/types';

/**
 * Speed belongs to an architecture, not to one training of it: students of one architecture and size run
 * the same operations, so their timings differ only by the machine's noise. Pooled per architecture — the
 * median of their medians, and the fastest and slowest batch of any of them — every row of an
 * architecture reads the same speed-up, instead of "within noise" beside "4.5× faster" for twins.
 */
export type Timing = Pick<ModelResult['size'], 'latencyMs' | 'latencySpreadMs'>;

export function architectureTimings(models: ModelResult[]): (m: ModelResult) => Timing {
  const key = (m: ModelResult) => `${m.role === 'teacher' ? 'teacher:' : ''}${m.model}:${m.size.params}`;
  const groups = new Map<string, ModelResult[]>();
  for (const m of models) groups.set(key(m), [...(groups.get(key(m)) ?? []), m]);
  const pooled = new Map<string, Timing>();
  for (const [k, list] of groups) {
    const lat = list.flatMap((m) => (m.size.latencyMs === undefined ? [] : [m.size.latencyMs])).sort((a, b) => a - b);
    const spreads = list.flatMap((m) => (m.size.latencySpreadMs ? [m.size.latencySpreadMs] : []));
    pooled.set(k, {
      latencyMs: lat.length
        ? lat.length % 2
          ? lat[lat.length >> 1]
          : (lat[lat.length / 2 - 1] + lat[lat.length / 2]) / 2
        : undefined,
      latencySpreadMs: spreads.length
        ? [Math.min(...spreads.map((s) => s[0])), Math.max(...spreads.map((s) => s[1]))]
        : undefined,
    });
  }
  return (m) => pooled.get(key(m))!;
}
