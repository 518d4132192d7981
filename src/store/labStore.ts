import { create } from 'zustand';
import type { BackendReport, ExperimentConfig, ExperimentResult, LabEvent, ModelResult } from '../engine/types';
import { deleteRun, listRuns, openLabDb, putRun, type StoredRun } from '../storage/db';
import { EngineClient } from '../worker/client';
import type { FromWorker } from '../worker/protocol';
import { configFor, readUrlSetup } from './urlConfig';
import type { PresetName } from '../engine/presets';

export type ProgressEvent = Extract<LabEvent, { type: 'progress' }>;

export interface LossPoint { step: number; terms: Record<string, number> }

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
  result: ExperimentResult | null;
  dataset: { name: string; count: number; fromCache: boolean; warning?: string } | null;
  error: string | null;
  runs: StoredRun[];
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
let client: EngineClient | null = null;

export const useLab = create<LabState>((set, get) => {
  const handle = (m: FromWorker) => {
    switch (m.type) {
      case 'backend': set({ backend: m.report, backendError: null }); break;
      case 'dataset': set({ dataset: { name: m.name, count: m.count, fromCache: m.fromCache, warning: m.warning } }); break;
      case 'stage': set({ stage: m.message }); break;
      case 'progress': set({ progress: m }); break;
      case 'loss': {
        const losses = get().losses;
        const list = losses[m.runLabel] ?? [];
        list.push({ step: m.step, terms: m.terms });
        set({ losses: { ...losses, [m.runLabel]: list }, lossVersion: get().lossVersion + 1 });
        break;
      }
      case 'epoch': break;
      case 'result': set({ partial: [...get().partial, m.result] }); break;
      case 'done': {
        set({ status: 'idle', result: m.result, stage: 'Done', progress: null });
        const run: StoredRun = { id: `run-${Date.now().toString(36)}`, name: `${m.result.config.name} · ${new Date(m.result.startedAt).toLocaleString()}`, createdAt: m.result.startedAt, result: m.result };
        openLabDb().then((db) => putRun(db, run)).then(() => get().loadRuns()).catch((e) => set({ error: `The run finished but could not be stored: ${(e as Error).message}` }));
        break;
      }
      case 'cancelled': set({ status: 'idle', stage: 'Cancelled', progress: null }); break;
      case 'error':
        if (get().status === 'idle' && !get().backend) set({ backendError: m.message });
        set({ status: 'idle', error: m.message, progress: null });
        break;
    }
  };
  const engine = () => {
    if (!client) {
      client = new EngineClient();
      client.on(handle);
      client.init(url.backend);
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
    result: null,
    dataset: null,
    error: null,
    runs: [],
    setPreset: (p) => set({ preset: p, config: configFor(p) }),
    updateConfig: (patch) => set({ config: { ...get().config, ...patch } }),
    distill: () => {
      if (get().status !== 'idle') return;
      set({ status: 'running', error: null, losses: {}, lossVersion: 0, partial: [], result: null, progress: null, stage: 'Starting' });
      engine().send({ type: 'run', config: get().config });
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
        set({ error: `Stored runs could not be read: ${(e as Error).message}` });
      }
    },
    removeRun: async (id) => {
      const db = await openLabDb();
      await deleteRun(db, id);
      await get().loadRuns();
    },
    selectRun: (id) => {
      const run = get().runs.find((r) => r.id === id);
      if (run) set({ result: run.result, partial: [], losses: Object.fromEntries([run.result.teacher, ...run.result.students].map((m) => [m.label, m.curve.map((c) => ({ step: c.step, terms: c.terms }))])), lossVersion: get().lossVersion + 1 });
    },
    dismissError: () => set({ error: null }),
    boot: () => { engine(); void get().loadRuns(); },
  };
});

