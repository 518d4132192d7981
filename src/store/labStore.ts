import { create } from 'zustand';
import { lambdasOf, methodsOf } from '../analysis/compare';
import { parseRunsJson } from '../analysis/runFiles';
import type {
  BackendReport,
  ExperimentConfig,
  ExperimentResult,
  LabEvent,
  MethodId,
  ModelResult,
  RunFailure,
} from '../engine/types';
import {
  deleteRun,
  deleteSweep,
  listRuns,
  listSweeps,
  openLabDb,
  putRun,
  whenBlocked,
  type StoredRun,
  type StoredSweep,
} from '../storage/db';
import { EngineClient } from '../worker/client';
import type { FromWorker } from '../worker/protocol';
import { configFor, readUrlSetup } from './urlConfig';
import type { PresetName } from '../engine/presets';

export type ProgressEvent = Extract<LabEvent, { type: 'progress' }>;

export interface LossPoint {
  step: number;
  terms: Record<string, number>;
}

export interface LabState {
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
  result: ExperimentResult | null;
  dataset: { name: string; count: number; fromCache: boolean; warning?: string } | null;
  error: string | null;
  runs: StoredRun[];
  /** A sweep a reload (or a crash) interrupted, offered for resuming. */
  resumable: StoredSweep | null;
  resume(): void;
  discardResumable(): Promise<void>;
  /** Decoding a picked folder into a dataset. */
  importing: { done: number; total: number; bytes: number; etaSeconds: number | null } | null;
  /** False under ?charts=0: the live loss chart is not drawn. */
  liveChart: boolean;
  /** The stored run on screen (null while a run is live or none is open). */
  currentRunId: string | null;
  /** What the comparison charts show: a method's students and the λ the slider is on. */
  view: { method: MethodId; lambda: number } | null;
  setView(view: { method: MethodId; lambda: number }): void;
  renameRun(id: string, name: string): Promise<void>;
  /** Adds the runs of an export; returns how many were added. Existing runs are never replaced. */
  importRuns(text: string): Promise<number>;
  setPreset(p: PresetName): void;
  updateConfig(patch: Partial<ExperimentConfig>): void;
  distill(): void;
  cancel(): void;
  loadRuns(): Promise<void>;
  removeRun(id: string): Promise<void>;
  selectRun(id: string): void;
  dismissError(): void;
  /** Starts the worker (and backend selection) and lists stored runs, as the page opens. */
  boot(): void;
}

const url = readUrlSetup(typeof location === 'undefined' ? '' : location.search);

/** The slider starts on the smallest λ > 0 (the first debiased run), else on 0. */
export function defaultView(result: ExperimentResult): LabState['view'] {
  const method = methodsOf(result)[0];
  if (!method) return null;
  const lambdas = lambdasOf(result, method);
  return { method, lambda: lambdas.find((l) => l > 0) ?? lambdas[0] };
}
/**
 * The models a run saved under its own id (indexeddb://fairdistill/<run>/…). An imported teacher
 * the run used is not among them: it belongs to the user's teacher list and outlives the run.
 */
export function ownModels(runId: string, models: ModelResult[]): ModelResult[] {
  return models.filter((m) => m.modelKey?.includes(`/${runId}/`));
}

let client: EngineClient | null = null;
/** The id the live run will be stored under (its models are saved under it as they finish). */
let pendingRunId: string | null = null;

/** Sends model work to the engine worker. */
export function engineRequest<T>(op: Parameters<EngineClient['request']>[0]): Promise<T> {
  if (!client) throw new Error('The engine has not started yet.');
  return client.request<T>(op);
}

export const useLab = create<LabState>((set, get) => {
  const handle = (m: FromWorker) => {
    switch (m.type) {
      case 'backend':
        set({ backend: m.report, backendError: null });
        break;
      case 'dataset':
        set({ dataset: { name: m.name, count: m.count, fromCache: m.fromCache, warning: m.warning } });
        break;
      case 'stage':
        set({ stage: m.message });
        break;
      case 'progress':
        set({ progress: m });
        break;
      case 'loss': {
        const losses = get().losses;
        const list = losses[m.runLabel] ?? [];
        list.push({ step: m.step, terms: m.terms });
        set({ losses: { ...losses, [m.runLabel]: list }, lossVersion: get().lossVersion + 1 });
        break;
      }
      case 'epoch':
        break;
      case 'runFailed':
        set({ failures: [...get().failures, { label: m.label, message: m.message }] });
        break;
      case 'importProgress':
        set({ importing: { done: m.done, total: m.total, bytes: m.bytes, etaSeconds: m.etaSeconds } });
        break;
      case 'result':
        set({ partial: [...get().partial, m.result] });
        break;
      case 'done': {
        const run: StoredRun = {
          id: pendingRunId ?? `run-${Date.now().toString(36)}`,
          name: `${m.result.config.dataset.kind === 'imported' ? m.result.dataset.name : m.result.config.name} · ${new Date(m.result.startedAt).toLocaleString()}`,
          createdAt: m.result.startedAt,
          result: m.result,
        };
        set({
          status: 'idle',
          result: m.result,
          stage: 'Done',
          progress: null,
          currentRunId: run.id,
          view: defaultView(m.result),
        });
        // Stored first, checkpoint dropped second: a reload in between finds one or the other, never neither.
        openLabDb()
          .then(async (db) => {
            await putRun(db, run);
            await deleteSweep(db, run.id);
          })
          .then(() => get().loadRuns())
          .catch((e) => set({ error: `The run finished but could not be stored: ${(e as Error).message}` }));
        break;
      }
      case 'cancelled':
        set({ status: 'idle', stage: 'Cancelled', progress: null });
        break;
      case 'error': {
        const wasRunning = get().status !== 'idle';
        if (!wasRunning && !get().backend) set({ backendError: m.message });
        set({ status: 'idle', error: m.message, progress: null });
        // A run that ended in an error (a failed worker, storage, a bug) left its checkpoint: offer it at once.
        if (wasRunning && pendingRunId) offerResume(pendingRunId);
        break;
      }
    }
  };
  const offerResume = (id: string) => {
    void openLabDb()
      .then(listSweeps)
      .then((sweeps) => {
        const sweep = sweeps.find((s) => s.id === id);
        if (sweep && get().status === 'idle') set({ resumable: sweep });
      })
      .catch(() => undefined);
  };
  const engine = () => {
    if (!client || client.dead) {
      client = new EngineClient();
      client.on(handle);
      client.init(url.backend, url.threads);
    }
    return client;
  };
  return {
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
    result: null,
    dataset: null,
    error: null,
    runs: [],
    liveChart: url.charts,
    importing: null,
    resumable: null,
    resume: () => {
      const sweep = get().resumable;
      if (!sweep || get().status !== 'idle') return;
      pendingRunId = sweep.id;
      set({
        status: 'running',
        error: null,
        failures: sweep.failures,
        losses: {},
        lossVersion: 0,
        partial: [],
        result: null,
        progress: null,
        stage: 'Resuming',
        currentRunId: null,
        view: null,
        config: sweep.config,
        resumable: null,
      });
      engine().send({ type: 'run', config: sweep.config, runId: sweep.id, resume: true });
    },
    discardResumable: async () => {
      const sweep = get().resumable;
      if (!sweep) return;
      set({ resumable: null });
      try {
        await deleteSweep(await openLabDb(), sweep.id);
        const keys = ownModels(sweep.id, [...(sweep.teacher ? [sweep.teacher] : []), ...sweep.students]).map(
          (m) => m.modelKey!,
        );
        if (keys.length) await engine().request<number>({ kind: 'deleteModels', keys });
      } catch (e) {
        set({ error: `The interrupted sweep could not be discarded: ${(e as Error).message}` });
      }
    },
    currentRunId: null,
    view: null,
    setView: (view) => set({ view }),
    renameRun: async (id, name) => {
      const run = get().runs.find((r) => r.id === id);
      const trimmed = name.trim();
      if (!run || !trimmed || trimmed === run.name) return;
      try {
        await putRun(await openLabDb(), { ...run, name: trimmed });
        await get().loadRuns();
      } catch (e) {
        set({ error: `The run could not be renamed: ${(e as Error).message}` });
      }
    },
    importRuns: async (text) => {
      let incoming: StoredRun[];
      try {
        incoming = parseRunsJson(text);
      } catch (e) {
        set({ error: `Import failed, nothing was changed: ${(e as Error).message}` });
        return 0;
      }
      try {
        const db = await openLabDb();
        const have = new Set(get().runs.map((r) => r.id));
        let added = 0;
        for (const run of incoming) {
          // An import never overwrites a stored run: a clashing id gets a fresh one.
          const id = have.has(run.id) ? `${run.id}-import-${Date.now().toString(36)}-${added}` : run.id;
          await putRun(db, { ...run, id });
          have.add(id);
          added++;
        }
        await get().loadRuns();
        return added;
      } catch (e) {
        set({ error: `Import failed while storing: ${(e as Error).message}` });
        await get().loadRuns();
        return 0;
      }
    },
    setPreset: (p) => set({ preset: p, config: configFor(p) }),
    updateConfig: (patch) => set({ config: { ...get().config, ...patch } }),
    distill: () => {
      if (get().status !== 'idle') return;
      set({
        status: 'running',
        error: null,
        failures: [],
        losses: {},
        lossVersion: 0,
        partial: [],
        result: null,
        progress: null,
        stage: 'Starting',
        currentRunId: null,
        view: null,
      });
      pendingRunId = `run-${Date.now().toString(36)}`;
      engine().send({ type: 'run', config: get().config, runId: pendingRunId });
    },
    cancel: () => {
      if (get().status !== 'running') return;
      set({ status: 'cancelling', stage: 'Cancelling after this step' });
      engine().send({ type: 'cancel' });
    },
    loadRuns: async () => {
      try {
        const db = await openLabDb();
        set({ runs: (await listRuns(db)).reverse() });
      } catch (e) {
        // Site data cleared while the page was open, or storage unavailable (private mode, policy).
        set({
          error: `Stored runs could not be read (${(e as Error).message}). If this browser's site data was cleared or storage is blocked, finished runs are gone from here; exported JSON files can be imported back.`,
        });
      }
    },
    removeRun: async (id) => {
      try {
        const run = get().runs.find((r) => r.id === id);
        await deleteRun(await openLabDb(), id);
        const keys = run ? ownModels(id, [run.result.teacher, ...run.result.students]).map((m) => m.modelKey!) : [];
        // The run's models go with it; a failure here leaves orphaned weights, not a broken run list.
        if (keys.length)
          await engine()
            .request<number>({ kind: 'deleteModels', keys })
            .catch(() => undefined);
        if (get().currentRunId === id)
          set({ currentRunId: null, result: null, view: null, losses: {}, lossVersion: get().lossVersion + 1 });
      } catch (e) {
        set({ error: `The run could not be deleted: ${(e as Error).message}` });
      }
      await get().loadRuns();
    },
    selectRun: (id) => {
      const run = get().runs.find((r) => r.id === id);
      if (run)
        set({
          result: run.result,
          currentRunId: id,
          view: defaultView(run.result),
          partial: [],
          losses: Object.fromEntries(
            [run.result.teacher, ...run.result.students].map((m) => [
              m.label,
              m.curve.map((c) => ({ step: c.step, terms: c.terms })),
            ]),
          ),
          lossVersion: get().lossVersion + 1,
        });
    },
    dismissError: () => set({ error: null }),
    boot: () => {
      whenBlocked((message) => set({ error: message }));
      engine();
      void get().loadRuns();
      // A checkpoint without a stored run is a sweep that never finished: offer to resume it.
      void openLabDb()
        .then(listSweeps)
        .then((sweeps) => {
          const latest = sweeps.sort((a, b) => b.updatedAt.localeCompare(a.updatedAt))[0];
          if (latest && get().status === 'idle') set({ resumable: latest });
        })
        .catch(() => undefined);
    },
  };
});
