import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { methodInfo, paramNamed } from '../engine/distill/catalog';
import { generateSynthetic } from '../engine/data/synthetic';
import { planRuns, planSizeProblem, validateExperiment, type StudentRun } from '../engine/plan';
import { z } from 'zod';
import { firstSchemaProblem } from './schemaProblem';
import type { Dataset, ExperimentConfig } from '../engine/types';
import { writeAtomic } from './atomicFile';

/**
 * A sweep spread over machines: every cell (one student: method, λ, seed) written down once, with a
 * hash of the whole content. Shards of a job runner (a Kubernetes Indexed Job, a Slurm array, GNU
 * parallel) each run their share of the cells; --merge takes only results carrying this hash.
 */

export interface SweepCell extends StudentRun {
  /** Position in the manifest; shards take contiguous runs of cells, so a shard needs few teachers. */
  index: number;
  seed: number;
}

export interface SweepManifest {
  version: 1;
  tool: 'FairDistill Lab sweep manifest';
  /** sha256 of the settings, seeds and cells (first 16 hex digits): what results must carry to be merged. */
  hash: string;
  /** The settings every cell shares; each cell's own seed, method and λ replace those fields. */
  config: ExperimentConfig;
  seeds: number[];
  /**
   * The built-in dataset's content key, so a changed generator cannot pass for the same data; for a
   * folder of photos (`data`), the key of what its preparation reads (every file, label and option).
   */
  datasetKey: string;
  /** Photos instead of the built-in data: where the planner found them (a shard may name its own copy). */
  data?: SweepData;
  cells: SweepCell[];
}

/** A sweep's folder of photos: the --data source, its folder, and WIDER's options. */
export interface SweepData {
  source: 'csv' | 'wider';
  dir: string;
  wider?: { mode: 'image' | 'person'; classes: 'clusters' | 'scenes' };
}

/** JSON with sorted keys: the same content always gives the same text, whatever order it was built in. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );
}

export function contentHash(value: unknown): string {
  return createHash('sha256').update(canonical(value)).digest('hex').slice(0, 16);
}

function manifestHash(m: Pick<SweepManifest, 'config' | 'seeds' | 'datasetKey' | 'cells' | 'data'>): string {
  // `data` only where there is some: a manifest of the built-in data keeps the hash it always had.
  const { config, seeds, datasetKey, cells, data } = m;
  return contentHash({ config, seeds, datasetKey, cells, ...(data ? { data } : {}) });
}

export function planSweep(
  config: ExperimentConfig,
  seeds: number[],
  datasetKey: string,
  data?: SweepData,
): SweepManifest {
  const errors = validateExperiment(config);
  if (errors.length) throw new Error(errors.join(' '));
  if (new Set(seeds).size !== seeds.length) throw new Error('--seeds: each seed once.');
  const tooLarge = planSizeProblem(config, seeds.length);
  if (tooLarge) throw new Error(tooLarge);
  const base = { ...config, seed: seeds[0] };
  const cells = seeds.flatMap((seed) => planRuns(config).map((run) => ({ ...run, seed })));
  const body = {
    config: base,
    seeds,
    datasetKey,
    ...(data ? { data } : {}),
    cells: cells.map((c, index) => ({ ...c, index })),
  };
  return { version: 1, tool: 'FairDistill Lab sweep manifest', hash: manifestHash(body), ...body };
}

/** The built-in dataset the sweep was planned on, generated again here; refused if the generator now makes another. */
export function sweepData(m: SweepManifest): Dataset {
  if (m.data)
    throw new Error('The sweep reads a folder of photos: its data is prepared by the runner (--data, --data-cache).');
  const data = generateSynthetic(m.config.dataset as Parameters<typeof generateSynthetic>[0]);
  if (data.key !== m.datasetKey)
    throw new Error('The built-in dataset generated here differs from the one the sweep was planned on.');
  return data;
}

/**
 * The settings that train one cell: its seed, and its student alone. A hyper-parameter sweep of its
 * method is narrowed to the cell's own value (which keeps the student's label, "CKD T=2 λ=0"); left
 * whole, every cell of a swept method would train the sweep's every value and keep the first.
 */
export function cellConfig(m: SweepManifest, cell: SweepCell): ExperimentConfig {
  const baseline = cell.role === 'baseline';
  const sweeps = baseline
    ? []
    : (m.config.sweeps ?? [])
        .filter((s) => s.method === cell.method)
        .map((s) => {
          const key = paramNamed(methodInfo(cell.method), s.param)?.key ?? s.param;
          return { ...s, values: [cell.params[key]] };
        });
  return {
    ...m.config,
    seed: cell.seed,
    baseline,
    methods: baseline ? [] : [{ id: cell.method, params: cell.params } as ExperimentConfig['methods'][number]],
    sweeps,
    lambdas: [cell.lambda],
  };
}

/** The settings a teacher depends on (not the students'): teachers are shared by every cell of a seed. */
export function teacherKey(m: SweepManifest, seed: number): string {
  // What only the students see (methods, their sweeps, λ, the adversary) does not change the teacher:
  // sweeps that differ only there share their teachers (--teachers DIR).
  const {
    methods: _m,
    sweeps: _w,
    lambdas: _l,
    debias: _d,
    baseline: _b,
    studentModel: _s,
    studentEpochs: _e,
    ...rest
  } = m.config;
  return `seed-${seed}-${contentHash({ ...rest, seed, datasetKey: m.datasetKey })}`;
}

export function writeManifest(path: string, m: SweepManifest): void {
  mkdirSync(dirname(path), { recursive: true });
  writeAtomic(path, JSON.stringify(m, null, 2));
}

/** Reads a manifest and checks that its content still matches its hash (an edited manifest is refused). */
export function readManifest(path: string): SweepManifest {
  let m: SweepManifest;
  try {
    m = JSON.parse(readFileSync(path, 'utf8')) as SweepManifest;
  } catch (e) {
    throw new Error(`The sweep manifest ${path} cannot be read: ${(e as Error).message}`, { cause: e });
  }
  if (m?.tool !== 'FairDistill Lab sweep manifest' || m.version !== 1)
    throw new Error(`${path} is not a sweep manifest (write one with npm run lab -- --plan ${path} …).`);
  const problem = manifestProblem(m);
  if (problem)
    throw new Error(`The sweep manifest ${path} is damaged or was edited (${problem}); plan it again with --plan.`);
  if (manifestHash(m) !== m.hash)
    throw new Error(
      `${path} was changed after it was written (its content no longer matches hash ${m.hash}); plan again.`,
    );
  return m;
}

const whole = z.number().int().min(0);
const manifestSchema = z.looseObject({
  hash: z.string(),
  datasetKey: z.string(),
  data: z
    .object({
      source: z.enum(['csv', 'wider']),
      dir: z.string(),
      wider: z.object({ mode: z.enum(['image', 'person']), classes: z.enum(['clusters', 'scenes']) }).optional(),
    })
    .optional(),
  seeds: z.array(whole.max(2147483647)).min(1),
  config: z.looseObject({
    methods: z.array(z.looseObject({ id: z.string() })),
    lambdas: z.array(z.number()),
    baseline: z.boolean(),
    dataset: z.looseObject({ kind: z.literal('synthetic') }),
  }),
  cells: z.array(
    z.looseObject({
      index: whole,
      seed: whole,
      label: z.string(),
      method: z.string(),
      lambda: z.number(),
      params: z.record(z.string(), z.number()),
      role: z.enum(['student', 'baseline']),
    }),
  ),
});

/** Why a manifest's content cannot be a plan of this runner, by its field, or null (checked before its hash). */
export function manifestProblem(m: unknown): string | null {
  const parsed = manifestSchema.safeParse(m);
  if (!parsed.success) {
    return firstSchemaProblem(parsed.error);
  }
  const { config, seeds, cells } = parsed.data;
  if (new Set(seeds).size !== seeds.length) return 'seeds: a seed listed twice';
  const tooLarge = planSizeProblem(config as unknown as ExperimentConfig, seeds.length);
  if (tooLarge) return tooLarge;
  if (cells.some((c, i) => c.index !== i)) return 'cells: not numbered in order';
  return null;
}

/**
 * Which shard this process is: `i/n`, or `auto/n` and `auto` from the job runner's index — a Kubernetes
 * Indexed Job's JOB_COMPLETION_INDEX, a Slurm array's SLURM_ARRAY_TASK_ID (counted from
 * SLURM_ARRAY_TASK_MIN; its count from SLURM_ARRAY_TASK_COUNT).
 */
export function parseShard(text: string, env: NodeJS.ProcessEnv): { index: number; count: number } {
  const [i, n] = text.split('/');
  let count = n === undefined ? Number(env.SLURM_ARRAY_TASK_COUNT) : Number(n);
  let index = Number(i);
  if (i === 'auto') {
    if (env.JOB_COMPLETION_INDEX !== undefined) index = Number(env.JOB_COMPLETION_INDEX);
    else if (env.SLURM_ARRAY_TASK_ID !== undefined)
      index = Number(env.SLURM_ARRAY_TASK_ID) - Number(env.SLURM_ARRAY_TASK_MIN ?? 0);
    else throw new Error('--shard auto: neither JOB_COMPLETION_INDEX (Kubernetes) nor SLURM_ARRAY_TASK_ID is set.');
  }
  if (n === undefined && i !== 'auto') count = NaN;
  if (!Number.isInteger(count) || count < 1 || !Number.isInteger(index) || index < 0 || index >= count)
    throw new Error(
      `--shard: "${text}" must be i/n with 0 ≤ i < n (or auto/n under a job runner); got shard ${index} of ${count}.`,
    );
  return { index, count };
}

/** Shard i of n: the i-th of n nearly equal contiguous runs of cells. */
export function shardCells(m: SweepManifest, index: number, count: number): SweepCell[] {
  const from = Math.floor((index * m.cells.length) / count);
  const to = Math.floor(((index + 1) * m.cells.length) / count);
  return m.cells.slice(from, to);
}

export function cellName(c: SweepCell): string {
  return `seed ${c.seed} · ${c.label} (cell ${c.index})`;
}
