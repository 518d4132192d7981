import type { ExperimentConfig, StoredRun } from '../engine/types';
import { summarize, type SummaryRow } from './summary';

/** Stored runs of one setup with different training seeds: what the page summarises as mean with a 95% t-interval. */
export interface SeedGroup {
  key: string;
  /** The setup's name (its preset or dataset) and what it sweeps. */
  name: string;
  runs: StoredRun[];
  seeds: number[];
  rows: SummaryRow[];
}

/** Everything that makes a setup but the training seed and the run's own name. */
export function setupKey(config: ExperimentConfig): string {
  const { seed: _seed, name: _name, ...rest } = config;
  return JSON.stringify(rest);
}

/** A setup's name for people: its preset or dataset and the λ it sweeps ("Quick story · λ 0, 1, 2"). */
export function setupName(config: ExperimentConfig): string {
  return `${config.name} · λ ${config.lambdas.join(', ')}`;
}

/** Groups of at least two stored runs that share a setup and differ in seed (the first run of a seed counts). */
export function seedGroups(runs: StoredRun[]): SeedGroup[] {
  const groups = new Map<string, StoredRun[]>();
  // A damaged record (written before imports were checked) has no setup to group by: the runs list names it.
  for (const r of runs.filter((x) => x.result?.config && x.result.teacher && Array.isArray(x.result.students))) {
    const key = setupKey(r.result.config);
    const list = groups.get(key) ?? [];
    if (!list.some((x) => x.result.config.seed === r.result.config.seed)) list.push(r);
    groups.set(key, list);
  }
  return [...groups]
    .filter(([, list]) => list.length >= 2)
    .map(([key, list]) => {
      const c = list[0].result.config;
      const sorted = [...list].sort((a, b) => a.result.config.seed - b.result.config.seed);
      return {
        key,
        name: setupName(c),
        runs: sorted,
        seeds: sorted.map((r) => r.result.config.seed),
        rows: summarize(sorted.map((r) => r.result)),
      };
    });
}
