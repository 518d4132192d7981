import { existsSync, readFileSync, rmSync } from 'node:fs';
import { deserialize, serialize } from 'node:v8';
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { firstSchemaProblem } from './schemaProblem';
import { writeAtomic } from './atomicFile';
import { resumeFrom, type ResumeFrom } from '../engine/run/resume';
import type { ExperimentConfig, ExperimentResult, RunSnapshot, SweepProgress } from '../engine/types';

/**
 * The headless runner's checkpoint: one file that says which seeds are done, what the current
 * seed's sweep has finished, its trained teacher and the last epoch snapshot of the model in
 * training. Written atomically (a temporary file renamed over the old one), so a kill at any
 * moment leaves the previous checkpoint or the new one, never half of either.
 */

export interface RunnerCheckpoint {
  version: 1;
  /** The settings the checkpoint belongs to; a different command line must not resume it. */
  config: ExperimentConfig;
  seeds: number[];
  /** Results of the seeds that have finished, in order. */
  finished: ExperimentResult[];
  current?: {
    seed: number;
    sweep?: SweepProgress;
    teacher?: tf.io.ModelArtifacts;
    snapshot?: RunSnapshot;
  };
}

export function writeCheckpoint(path: string, state: RunnerCheckpoint): void {
  writeAtomic(path, serialize(state));
}

/** The checkpoint at `path` if there is one for these settings; throws when it belongs to other settings. */
export function readCheckpoint(path: string, config: ExperimentConfig, seeds: number[]): RunnerCheckpoint | null {
  if (!existsSync(path)) return null;
  let state: RunnerCheckpoint;
  try {
    state = deserialize(readFileSync(path)) as RunnerCheckpoint;
  } catch (e) {
    throw new Error(`The checkpoint ${path} cannot be read (${(e as Error).message}); move it away to start over.`, {
      cause: e,
    });
  }
  if (state?.version !== 1) throw new Error(`${path} is not a checkpoint of this runner; move it away to start over.`);
  const problem = checkpointProblem(state);
  if (problem)
    throw new Error(
      `The checkpoint ${path} is damaged or was edited (${problem}); nothing was trained. Move it away to start over.`,
    );
  if (JSON.stringify(state.config) !== JSON.stringify(config) || state.seeds.join(',') !== seeds.join(',')) {
    throw new Error(
      `The checkpoint ${path} was written with other settings (preset, methods, λ, epochs or seeds); run that command again to resume it, or move the file away to start over.`,
    );
  }
  return state;
}

const whole = z.number().int().min(0);
const date = z.string().refine((t) => !Number.isNaN(Date.parse(t)), 'not a date');
const modelResult = z.looseObject({ label: z.string(), testPredictions: z.array(z.number()).optional() });
const failure = z.looseObject({ label: z.string(), message: z.string() });
const progress = z.looseObject({
  teacher: modelResult.nullable(),
  students: z.array(modelResult),
  failures: z.array(failure),
  startedAt: date,
});
const typed = z.custom<ArrayBufferView>((v) => ArrayBuffer.isView(v), 'not a typed array');
const snapshot = z.looseObject({
  label: z.string(),
  epoch: whole,
  epochs: whole.min(1),
  model: z.array(z.looseObject({ name: z.string(), shape: z.array(whole), dtype: z.string(), data: typed })),
  curve: z.array(z.looseObject({ step: z.number(), epoch: z.number() })),
});
const checkpointSchema = z.looseObject({
  version: z.literal(1),
  config: z.looseObject({ seed: whole }),
  seeds: z.array(whole.max(2147483647)).min(1),
  finished: z.array(
    z.looseObject({
      config: z.looseObject({ seed: whole }),
      teacher: modelResult,
      students: z.array(modelResult),
      failures: z.array(failure).optional(),
      startedAt: date,
      seconds: z.number().min(0),
    }),
  ),
  current: z
    .looseObject({
      seed: whole,
      sweep: progress.optional(),
      teacher: z.looseObject({ modelTopology: z.unknown(), weightSpecs: z.array(z.unknown()).optional() }).optional(),
      snapshot: snapshot.optional(),
    })
    .optional(),
});

/**
 * Why a checkpoint's content cannot be what this runner wrote, by its field ("finished[0].startedAt: not
 * a date"), or null: read before any training, so a damaged file never ends in an internal error midway.
 */
export function checkpointProblem(state: unknown): string | null {
  const parsed = checkpointSchema.safeParse(state);
  if (!parsed.success) {
    return firstSchemaProblem(parsed.error, 'the file');
  }
  const c = parsed.data;
  if (c.finished.length > c.seeds.length)
    return `finished: ${c.finished.length} seeds done of the ${c.seeds.length} it lists`;
  const wrong = c.finished.findIndex((r, i) => r.config.seed !== c.seeds[i]);
  if (wrong >= 0) return `finished[${wrong}] is seed ${c.finished[wrong].config.seed}, not seed ${c.seeds[wrong]}`;
  if (c.current && c.current.seed !== c.seeds[c.finished.length])
    return `current: seed ${c.current.seed}, where the next seed is ${c.seeds[c.finished.length] ?? 'none'}`;
  return null;
}

export function removeCheckpoint(path: string): void {
  rmSync(path, { force: true });
}

/** What runExperiment needs to go on with the checkpoint's current seed. */
export async function resumeCurrent(
  current: NonNullable<RunnerCheckpoint['current']>,
): Promise<ResumeFrom | undefined> {
  const { sweep, teacher, snapshot } = current;
  if (!sweep) return undefined;
  return resumeFrom(sweep, snapshot, teacher ? () => tf.loadLayersModel(tf.io.fromMemory(teacher)) : null);
}
