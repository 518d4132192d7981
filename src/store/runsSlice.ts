import type { StateCreator } from 'zustand';
import { lambdasOf, leadingSeries, seriesIn } from '../analysis/compare';
import { recommendLambda } from '../engine/metrics/recommendation';
import { ownedModelKeys } from '../engine/models/keys';
import type { ExperimentResult, ModelResult } from '../engine/types';
import { openLabDb, storageClosedReason, type StoredRun } from '../storage/db';
import { listRuns } from '../storage/runs';
import { engineRequest } from './engine';
import type { LabState } from './labStore';

/** Stored runs, the one on screen and what the comparison charts show. Changes go through the worker. */
export interface RunsSlice {
  runs: StoredRun[];
  /** The stored run on screen (null while a run is live or none is open). */
  currentRunId: string | null;
  result: ExperimentResult | null;
  /** What the comparison charts show: a series' students (a method, or a method at a swept value) and the λ the slider is on. */
  view: { series: string; lambda: number } | null;
  setView: (view: { series: string; lambda: number }) => void;
  loadRuns: () => Promise<void>;
  selectRun: (id: string) => void;
  renameRun: (id: string, name: string) => Promise<void>;
  /** Replaces a run's notes and tags (stored by the worker, cleaned there). */
  annotateRun: (id: string, notes: string, tags: string[]) => Promise<void>;
  /** Adds the runs of an export file (all or none) that are not stored already. Imported runs get fresh ids. */
  importRuns: (file: Blob) => Promise<{ added: number; alreadyStored: number }>;
  removeRun: (id: string) => Promise<void>;
  /** Stored runs picked for the overlay (across sweeps), in the order they were picked. */
  compared: string[];
  toggleCompared: (id: string) => void;
}

/**
 * The charts open on the series the takeaway speaks of (leadingSeries: whose recommended λ cut the most
 * on validation, not merely the first), the slider on its recommended λ — the one λ the page leads with
 * everywhere (recommendation, photo demo, download) — else on its smallest λ > 0, else on 0.
 */
export function defaultView(result: ExperimentResult): RunsSlice['view'] {
  const lead = leadingSeries(result)?.series;
  const series = lead && seriesIn(result).includes(lead) ? lead : seriesIn(result)[0];
  if (!series) return null;
  return { series, lambda: recommendedLambda(result, series) };
}

/** The series' recommended λ when one qualified (> 0), else its smallest λ > 0, else its first λ. */
export function recommendedLambda(result: ExperimentResult, series: string): number {
  const lambdas = lambdasOf(result, series);
  const rec = recommendLambda(result.students, series);
  if (rec && rec.lambda > 0 && lambdas.includes(rec.lambda)) return rec.lambda;
  return lambdas.find((l) => l > 0) ?? lambdas[0];
}

/**
 * The models a run saved itself, matched by their whole key (savedModelKey). An imported teacher the
 * run used is not among them: it belongs to the user's teacher list and outlives the run.
 */
export function ownModels(runId: string, models: ModelResult[]): ModelResult[] {
  const keys = new Set(ownedModelKeys(runId, models));
  return models.filter((m) => m.modelKey !== undefined && keys.has(m.modelKey));
}

const curvesOf = (result: ExperimentResult) =>
  Object.fromEntries(
    [result.teacher, ...result.students].map((m) => [m.label, m.curve.map((c) => ({ step: c.step, terms: c.terms }))]),
  );

export const createRunsSlice: StateCreator<LabState, [], [], RunsSlice> = (set, get) => ({
  runs: [],
  compared: [],
  toggleCompared: (id) => {
    const c = get().compared;
    set({ compared: c.includes(id) ? c.filter((x) => x !== id) : [...c, id] });
  },
  currentRunId: null,
  result: null,
  view: null,
  setView: (view) => set({ view }),
  loadRuns: async () => {
    try {
      const runs = (await listRuns(await openLabDb())).reverse();
      const current = get().currentRunId;
      // The run on screen was deleted (in another tab): it leaves the screen too. A run that has just
      // finished and is not stored yet was never in the list, and stays.
      const deleted =
        current !== null && get().runs.some((r) => r.id === current) && !runs.some((r) => r.id === current);
      set({
        runs,
        compared: get().compared.filter((id) => runs.some((r) => r.id === id)),
        ...(deleted
          ? { currentRunId: null, result: null, view: null, losses: {}, lossVersion: get().lossVersion + 1 }
          : {}),
      });
    } catch (e) {
      // Storage closed for a newer version in another tab: the page already says so, and what to do.
      if (storageClosedReason()) return;
      // Site data cleared while the page was open, or storage unavailable (private mode, policy).
      set({
        error: `Stored runs could not be read (${(e as Error).message}). If this browser's site data was cleared or storage is blocked, finished runs are gone from here; exported JSON files can be imported back.`,
      });
    }
  },
  selectRun: (id) => {
    const run = get().runs.find((r) => r.id === id);
    if (!run) return;
    set({
      result: run.result,
      currentRunId: id,
      view: defaultView(run.result),
      partial: [],
      losses: curvesOf(run.result),
      lossVersion: get().lossVersion + 1,
    });
  },
  renameRun: async (id, name) => {
    const run = get().runs.find((r) => r.id === id);
    const trimmed = name.trim();
    if (!run || !trimmed || trimmed === run.name) return;
    try {
      await engineRequest({ kind: 'renameRun', id, name: trimmed });
      await get().loadRuns();
    } catch (e) {
      set({ error: `The run could not be renamed: ${(e as Error).message}` });
    }
  },
  annotateRun: async (id, notes, tags) => {
    try {
      await engineRequest({ kind: 'annotateRun', id, notes, tags });
      await get().loadRuns();
    } catch (e) {
      set({ error: `The notes could not be saved: ${(e as Error).message}` });
    }
  },
  importRuns: async (file) => {
    // Read, checked and stored by the worker: a large or hostile file never blocks or reaches this page unchecked.
    try {
      const counts = await engineRequest<{ added: number; alreadyStored: number }>({ kind: 'importRuns', file });
      await get().loadRuns();
      return counts;
    } catch (e) {
      set({ error: `Import failed, nothing was changed: ${(e as Error).message}` });
      return { added: 0, alreadyStored: 0 };
    }
  },
  removeRun: async (id) => {
    try {
      await engineRequest({ kind: 'deleteRun', id });
      if (get().currentRunId === id)
        set({ currentRunId: null, result: null, view: null, losses: {}, lossVersion: get().lossVersion + 1 });
    } catch (e) {
      set({ error: `The run could not be deleted: ${(e as Error).message}` });
    }
    await get().loadRuns();
  },
});
