import { readFileSync, writeFileSync } from 'node:fs';
import type { ExperimentConfig, ExperimentResult } from '../engine/types';
import { withCurrentFieldNames } from '../engine/types';
import { formatRecommendations, formatSummary, summarize } from '../analysis/summary';

/** What the headless runner writes with --out (and --merge reads back). */
export interface RunnerOutput {
  tool: string;
  preset: string;
  backend: unknown;
  seeds: number[];
  /** Present while a run is still going (written after each finished seed): the seeds its runs hold. */
  finishedSeeds?: number[];
  config: ExperimentConfig;
  summary: ReturnType<typeof summarize>;
  runs: ExperimentResult[];
}

/** One table over result files made apart (one seed per process, to use every core). */
export function mergeFiles(paths: string[], outPath?: string): void {
  const files = paths.map((f) => JSON.parse(readFileSync(f.trim(), 'utf8')) as RunnerOutput);
  const runs = files.flatMap((f) => f.runs.map((r) => withCurrentFieldNames(r)));
  const summary = summarize(runs);
  if (outPath) {
    const merged: RunnerOutput = {
      tool: 'FairDistill Lab headless runner (merged)',
      preset: files[0].preset,
      backend: files[0].backend,
      seeds: files.flatMap((f) => f.seeds),
      config: files[0].config,
      summary,
      runs,
    };
    writeFileSync(outPath, JSON.stringify(merged, null, 2));
  }
  console.log(formatSummary(summary));
  const recommended = formatRecommendations(runs);
  if (recommended) console.log(`\n${recommended}`);
}
