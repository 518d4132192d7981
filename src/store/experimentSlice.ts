import type { StateCreator } from 'zustand';
import type { PresetName } from '../engine/presets';
import type { BackendReport, ExperimentConfig, LabEvent, ModelResult, RunFailure } from '../engine/types';
import type { StoredRun } from '../engine/types';
import { openLabDb, type StoredSweep } from '../storage/db';
import { listSweeps } from '../storage/sweeps';
import { liveSweepIds, lockName, whenFree } from '../storage/crossTab';
import { engine, engineRequest, url } from './engine';
import type { LabState } from './labStore';
import { configFor } from './urlConfig';

export type ProgressEvent = Extract<LabEvent, { type: 'progress' }>;

export interface LossPoint {
  step: number;
  terms: Record<string, number>;
}

/** The setup, the live sweep (progress, curves, partial results) and an interrupted sweep to resume. */
export interface ExperimentSlice {
  preset: PresetName;
  config: ExperimentConfig;
  backend: BackendReport | null;
  backendError: string | null;
  status: 'idle' | 'running' | 'cancelling';
  stage: string;
  progress: ProgressEvent | null;
  /** Live loss curves by run label. */
  losses: Record<string, LossPoint[]>;
  /** Bumped on every loss event so charts can throttle their redraws. */
  lossVersion: number;
  partial: ModelResult[];
  /** Students of the live run that diverged. */
  failures: RunFailure[];
  dataset: { name: string; count: number; fromCache: boolean; warning?: string } | null;
  error: string | null;
  /** A sweep a reload (or a crash) interrupted, offered for resuming. */
  resumable: StoredSweep | null;
  /** Why the offered sweep cannot be resumed (it lost its dataset or teacher): it can be discarded or exported. */
  resumeProblem: { id: string; message: string } | null;
  /** Sweeps another tab is running now: shown, never offered to resume or discard. */
  elsewhere: StoredSweep[];
  /** False under ?charts=0: the live loss chart is not drawn. */
  liveChart: boolean;
  /** A finished run that storage refused (a full disk): kept in memory so it can still be exported. */
  unstoredRun: StoredRun | null;
  /** URL parameters that could not be used, each named with why (the page lists them). */
  urlProblems: string[];
  /** The id the live run is stored under (its models are saved under it as they finish). */
  pendingRunId: string | null;
  setPreset: (p: PresetName) => void;
  updateConfig: (patch: Partial<ExperimentConfig>) => void;
  distill: () => void;
  /**
   * Several seeds in one click (the CLI's --seeds): the setup once per seed, one after another, each
   * stored as its own run (grouped under "Across seeds"); a cancel, an error or a refused store ends
   * the batch.
   */
  distillSeeds: (seeds: number[]) => void;
  /** The seeds of a batch still to run after the current one, and the batch's size (null: no batch). */
  seedBatch: { queue: number[]; total: number } | null;
  /** Starts the batch's next seed, if any (after the run before it is stored). */
  nextSeed: () => void;
  cancel: () => void;
  resume: () => void;
  discardResumable: () => Promise<void>;
  /**
   * Reads the stored sweeps again: offers `id` for resuming (after a failed run), or the latest
   * interrupted one; a sweep whose lock another tab holds is listed as running there instead.
   */
  offerResume: (id?: string) => void;
  dismissError: () => void;
}

/** Sweeps of other tabs whose locks this page waits on (one wait each). */
const awaited = new Set<string>();

/** What a new sweep starts from: no curves, results or errors of the one before. */
const freshRun = {
  error: null,
  losses: {},
  lossVersion: 0,
  partial: [],
  result: null,
  progress: null,
  currentRunId: null,
  view: null,
};

export const createExperimentSlice: StateCreator<LabState, [], [], ExperimentSlice> = (set, get) => ({
  preset: url.preset,
  config: url.config,
  backend: null,
  backendError: null,
  status: 'idle',
  stage: '',
  progress: null,
  losses: {},
  lossVersion: 0,
  partial: [],
  failures: [],
  dataset: null,
  error: null,
  resumable: null,
  resumeProblem: null,
  elsewhere: [],
  liveChart: url.charts,
  urlProblems: url.problems,
  unstoredRun: null,
  pendingRunId: null,
  seedBatch: null,
  setPreset: (p) => set({ preset: p, config: configFor(p) }),
  updateConfig: (patch) => set({ config: { ...get().config, ...patch } }),
  distill: () => {
    if (get().status !== 'idle') return;
    // Until the engine has chosen its backend the preset may still change (no GPU: quick instead of
    // lab), so a click then would start a sweep the page no longer shows.
    if (!get().backend && !get().backendError) return;
    // A random UUID: two tabs starting a sweep in the same millisecond never share an id.
    const id = `run-${crypto.randomUUID()}`;
    set({ ...freshRun, status: 'running', failures: [], stage: 'Starting', pendingRunId: id });
    engine().send({ type: 'run', config: get().config, runId: id });
  },
  distillSeeds: (seeds) => {
    if (get().status !== 'idle' || !seeds.length) return;
    set({ config: { ...get().config, seed: seeds[0] }, seedBatch: { queue: seeds.slice(1), total: seeds.length } });
    get().distill();
    if (get().status === 'idle') set({ seedBatch: null }); // it did not start (the engine not ready)
  },
  nextSeed: () => {
    const batch = get().seedBatch;
    if (!batch || get().status !== 'idle') return;
    if (!batch.queue.length) return set({ seedBatch: null });
    const [seed, ...queue] = batch.queue;
    set({ config: { ...get().config, seed }, seedBatch: { queue, total: batch.total } });
    get().distill();
  },
  cancel: () => {
    if (get().status !== 'running') return;
    set({ status: 'cancelling', stage: 'Cancelling after this step', seedBatch: null });
    engine().send({ type: 'cancel' });
  },
  resume: () => {
    const sweep = get().resumable;
    if (!sweep || get().status !== 'idle') return;
    set({
      ...freshRun,
      status: 'running',
      failures: sweep.failures,
      stage: 'Resuming',
      config: sweep.config,
      resumable: null,
      pendingRunId: sweep.id,
    });
    engine().send({ type: 'run', config: sweep.config, runId: sweep.id, resume: true });
  },
  discardResumable: async () => {
    const sweep = get().resumable;
    if (!sweep) return;
    set({ resumable: null, resumeProblem: null });
    try {
      await engineRequest({ kind: 'discardSweep', id: sweep.id });
    } catch (e) {
      set({ error: `The interrupted sweep could not be discarded: ${(e as Error).message}` });
    }
  },
  offerResume: (id) => {
    void (async () => {
      const sweeps = await listSweeps(await openLabDb());
      const live = await liveSweepIds();
      // This tab's own sweep is on its progress panel, not in any banner.
      const own = get().status !== 'idle' ? get().pendingRunId : null;
      const others = sweeps.filter((s) => s.id !== own);
      const elsewhere = others.filter((s) => live.has(s.id));
      const interrupted = others.filter((s) => !live.has(s.id)).sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
      const sweep = id ? interrupted.find((s) => s.id === id) : interrupted[0];
      set({ elsewhere, resumable: get().status === 'idle' ? (sweep ?? null) : get().resumable });
      // A tab that closes or crashes says nothing: wait for its lock, then look again.
      for (const s of elsewhere.filter((x) => !awaited.has(x.id))) {
        awaited.add(s.id);
        void whenFree(lockName.sweep(s.id)).then(() => {
          awaited.delete(s.id);
          get().offerResume();
        });
      }
    })().catch(() => undefined);
  },
  dismissError: () => set({ error: null }),
});
