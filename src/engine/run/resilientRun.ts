import type * as tf from '@tensorflow/tfjs';
import { runExperiment, type ExperimentHooks, type ResumeFrom } from './experiment';
import { resumeFrom } from './resume';
import {
  finishedLabels,
  type BackendReport,
  type Dataset,
  type ExperimentConfig,
  type ExperimentResult,
  type RunSnapshot,
  type SweepProgress,
} from '../types';

/** The GPU behind WebGPU/WebGL went away (driver reset, tab in background too long, context lost). */
export class DeviceLostError extends Error {
  constructor(
    readonly backend: string,
    detail: string,
  ) {
    super(`The ${backend} device was lost (${detail}).`);
    this.name = 'DeviceLostError';
  }
}

const LOSS_PATTERN = /device (was |is )?lost|context (was |is )?lost|CONTEXT_LOST|GPUDeviceLostInfo/i;

export function isDeviceLoss(e: unknown): boolean {
  return e instanceof DeviceLostError || (e instanceof Error && LOSS_PATTERN.test(e.message));
}

export interface ResilienceDeps {
  /** Keeps the trained teacher where it survives the device; returns how to load it back. */
  keepTeacher(model: tf.LayersModel): Promise<() => Promise<tf.LayersModel>>;
  /** Starts the next backend after `lost`; null when none is left. */
  nextBackend(lost: BackendReport, reason: string): Promise<BackendReport | null>;
}

/**
 * runExperiment that survives a lost GPU device: the sweep goes on from its last checkpoint
 * (the teacher, every finished student, and the last finished epoch of the model in training)
 * on the next backend in the fallback order. Snapshots are plain arrays, so any backend reads them.
 */
export async function runResilient(
  config: ExperimentConfig,
  data: Dataset,
  backend: BackendReport,
  hooks: ExperimentHooks,
  deps: ResilienceDeps,
  fromCache = false,
  resumed?: ResumeFrom,
): Promise<{ result: ExperimentResult; backend: BackendReport }> {
  let current = backend;
  // Boxes: written inside the hooks below, read after a failure (TypeScript cannot see the writes).
  const kept: {
    loadTeacher: (() => Promise<tf.LayersModel>) | null;
    last: SweepProgress | null;
    snapshot: RunSnapshot | null;
  } = { loadTeacher: null, last: null, snapshot: resumed?.inProgress ?? null };
  let resume = resumed;
  // A resumed sweep's teacher is not handed to onModel again: keep it here for a later device loss.
  if (resumed?.teacher) kept.loadTeacher = await deps.keepTeacher(resumed.teacher);
  for (;;) {
    try {
      const result = await runExperiment(
        config,
        data,
        current,
        {
          ...hooks,
          onModel: async (role, label, model) => {
            const key = await hooks.onModel?.(role, label, model);
            if (role === 'teacher') kept.loadTeacher = await deps.keepTeacher(model);
            return key;
          },
          onCheckpoint: async (state) => {
            kept.last = { ...state, students: [...state.students], failures: [...state.failures] };
            if (kept.snapshot && finishedLabels(state).has(kept.snapshot.label)) kept.snapshot = null; // its model has finished
            await hooks.onCheckpoint?.(state);
          },
          onRunSnapshot: async (snap) => {
            kept.snapshot = snap;
            await hooks.onRunSnapshot?.(snap);
          },
        },
        fromCache,
        resume,
      );
      return { result: { ...result, backend: current }, backend: current };
    } catch (e) {
      if (!isDeviceLoss(e)) throw e;
      const reason = (e as Error).message;
      const next = await deps.nextBackend(current, reason);
      if (!next) throw new Error(`${reason} No other backend could take over.`, { cause: e });
      hooks.emit({ type: 'stage', message: `${reason} Continuing on ${next.name} from the last checkpoint.` });
      current = next;
      const { last, loadTeacher, snapshot } = kept;
      // Lost before the first checkpoint (an imported teacher's measurement): the sweep starts over.
      const progress =
        last ?? (resume ? { teacher: null, students: [], failures: [], startedAt: resume.startedAt } : null);
      if (progress) resume = await resumeFrom(progress, snapshot ?? undefined, loadTeacher);
    }
  }
}
