import { create } from 'zustand';
import { whenBlocked, whenClosed } from '../storage/db';
import { listenForNews } from '../storage/crossTab';
import { createDatasetsSlice, type DatasetsSlice } from './datasetsSlice';
import { engine, engineRequest, listenToEngine, url } from './engine';
import { setupUrl } from './urlConfig';
import { createExperimentSlice, type ExperimentSlice } from './experimentSlice';
import { createRunsSlice, type RunsSlice } from './runsSlice';
import { handleWorkerMessage } from './workerEvents';

/**
 * The page's state: one zustand store made of slices with named actions — the experiment (setup and
 * live sweep), the stored runs, the cached datasets. The page reads storage; the worker writes it.
 */
export type LabState = ExperimentSlice &
  RunsSlice &
  DatasetsSlice & {
    /** Starts the worker (and backend selection) and lists stored runs, as the page opens. */
    boot: () => void;
  };

export type { LossPoint, ProgressEvent } from './experimentSlice';
export { defaultView, ownModels } from './runsSlice';
export { engineRequest };

export const useLab = create<LabState>()((set, get, api) => {
  listenToEngine((m) => handleWorkerMessage(m, set, get));
  return {
    ...createExperimentSlice(set, get, api),
    ...createRunsSlice(set, get, api),
    ...createDatasetsSlice(set, get, api),
    boot: () => {
      whenBlocked((message) => set({ error: message }));
      whenClosed((message) => set({ error: `The lab’s storage closed: ${message}.` }));
      // Another tab (or this tab's worker) changed stored records: read them again.
      listenForNews((news) => {
        if (news.kind === 'runs' || news.kind === 'sweepEnded') void get().loadRuns();
        if (news.kind === 'sweepStarted' || news.kind === 'sweepEnded' || news.kind === 'runs') get().offerResume();
        if (news.kind === 'datasets')
          void get()
            .loadDatasets()
            .catch(() => undefined);
        if (news.kind === 'teachers') void get().loadTeachers();
      });
      engine();
      void get().loadTeachers();
      get().askPersistence();
      // After a reload the last finished run is on screen again, as it was before.
      void get()
        .loadRuns()
        .then(() => {
          const latest = get().runs[0];
          if (latest && !get().result && get().status === 'idle') get().selectRun(latest.id);
        });
      // A checkpoint without a stored run is a sweep that never finished: offer to resume it.
      get().offerResume();
    },
  };
});

// The address bar follows the setup, so a reload (or a copied address) comes back to it.
if (typeof history !== 'undefined' && typeof location !== 'undefined') {
  useLab.subscribe((state, prev) => {
    if (state.config === prev.config && state.preset === prev.preset) return;
    const setup = {
      preset: state.preset,
      config: state.config,
      charts: url.charts,
      backend: url.backend,
      threads: url.threads,
    };
    history.replaceState(history.state, '', setupUrl(setup, location.pathname));
  });
}
