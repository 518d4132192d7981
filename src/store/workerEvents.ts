import type { StoreApi } from 'zustand';
import type { FromWorker } from '../worker/protocol';
import type { LabState } from './labStore';
import { url } from './engine';
import { defaultView } from './runsSlice';
import { runName } from '../engine/types';

/** What each message of the engine worker changes in the page's state. */
export function handleWorkerMessage(m: FromWorker, set: StoreApi<LabState>['setState'], get: () => LabState): void {
  switch (m.type) {
    case 'backend':
      set({ backend: m.report, backendError: null });
      // The first screen starts on the quick story; with a GPU found, a bare address moves to the lab
      // story (an address with settings keeps them, on quick).
      if (
        url.bare &&
        get().status === 'idle' &&
        get().preset === 'quick' &&
        ['webgpu', 'webgl'].includes(m.report.name)
      )
        get().setPreset('lab');
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
      set({
        importing: {
          done: m.done,
          total: m.total,
          bytes: m.bytes,
          etaSeconds: m.etaSeconds,
          resumedChunks: m.resumedChunks ?? 0,
        },
      });
      break;
    case 'result':
      set({ partial: [...get().partial, m.result] });
      break;
    case 'done':
      // The worker stores the run and drops its sweep in one transaction, then says 'stored'.
      set({
        status: 'idle',
        result: m.result,
        stage: 'Done',
        progress: null,
        currentRunId: get().pendingRunId,
        view: defaultView(m.result),
      });
      break;
    case 'stored':
      // The next seed of a batch starts once this one's run is stored (and listed, for its group).
      void get()
        .loadRuns()
        .then(() => get().nextSeed());
      break;
    case 'storeFailed': {
      // The finished run stays on this page (and exportable) although storage refused it.
      const result = get().result;
      set({
        seedBatch: null, // a batch stops where storage refuses a run
        unstoredRun: result ? { id: m.id, name: runName(result), createdAt: result.startedAt, result } : null,
        error: `The run finished but could not be stored: ${m.message}. It stays on this page until you leave it — export it to keep it.`,
      });
      break;
    }
    case 'storageClosed':
      set({ error: `The lab’s storage closed: ${m.message}.` });
      break;
    case 'resumeFailed': {
      // The stage says what happened, not the "Resuming" or "Loading the dataset" it had reached.
      set({ status: 'idle', progress: null, stage: 'Not resumed', pendingRunId: null });
      if (m.reason === 'missing') {
        // Offered again with why: Resume is off, Discard and the export of what finished stay.
        set({ resumeProblem: { id: m.id, message: m.message } });
        get().offerResume(m.id);
      } else {
        set({ resumeProblem: null, error: m.message });
        get().offerResume();
      }
      break;
    }
    case 'cancelled':
      set({ status: 'idle', stage: 'Cancelled', progress: null, seedBatch: null });
      break;
    case 'error': {
      const wasRunning = get().status !== 'idle';
      if (!wasRunning && !get().backend) set({ backendError: m.message });
      set({
        status: 'idle',
        error: m.message,
        progress: null,
        seedBatch: null,
        ...(wasRunning ? { stage: 'Stopped by an error' } : {}),
      });
      // A run that ended in an error (a failed worker, storage, a bug) left its checkpoint: offer it at once.
      const id = get().pendingRunId;
      if (wasRunning && id) get().offerResume(id);
      break;
    }
    case 'reply':
      break;
  }
}
