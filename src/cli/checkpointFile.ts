import { existsSync, readFileSync, rmSync } from 'node:fs';
import { deserialize, serialize } from 'node:v8';
import * as tf from '@tensorflow/tfjs';
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
  if (JSON.stringify(state.config) !== JSON.stringify(config) || state.seeds.join(',') !== seeds.join(',')) {
    throw new Error(
      `The checkpoint ${path} was written with other settings (preset, methods, λ, epochs or seeds); run that command again to resume it, or move the file away to start over.`,
    );
  }
  return state;
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
