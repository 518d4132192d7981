/// <reference lib="webworker" />
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { whyNotResumable } from './resumeCheck';
import { defaultWasmThreads, selectBackend, isBackendName } from '../engine/backend';
import * as tf from '@tensorflow/tfjs';
import { CancelledError, NumericalError, planRuns, type ResumeFrom } from '../engine/run/experiment';
import { validateExperiment } from '../engine/plan';
import { DeviceLostError, runResilient } from '../engine/run/resilientRun';
import { BACKEND_ORDER, type BackendReport } from '../engine/types';
import { openLabDb, whenClosed } from '../storage/db';
import { deleteSweep, getRunSnapshot, listSweeps, putRunSnapshot, putSweep } from '../storage/sweeps';
import { snapshotBytes } from '../engine/run/runSnapshot';
import { loadDataset } from './datasetLoader';
import { importFolder } from './folderImport';
import { keepInMemory } from '../engine/models/artifacts';
import { modelKey, runModelOp, saveModel } from './modelStore';
import { parseToWorker, STORAGE_OPS, type FromWorker, type ModelOp, type StorageOp } from './protocol';
import { resumeFrom } from '../engine/run/resume';
import { ownedModelKeys } from '../engine/models/keys';
import { finishRun } from '../storage/runs';
import { runName } from '../engine/types';
import type { LabDb, StoredRun } from '../storage/db';
import { noRoomFor, storageErrorMessage } from '../storage/space';
import { discardSweepRecords, runStorageOp } from './storageOps';
import { announce } from '../storage/crossTab';
import { holdSweep } from './sweepLocks';
import { storedWeights } from './weightFiles';
import { datasetGallery } from './gallery';
import { estimateDuration } from '../engine/run/estimate';

/** The dedicated worker that runs the engine (only a dedicated worker gets navigator.gpu). */

const ctx = self as unknown as DedicatedWorkerGlobalScope;
const post = (m: FromWorker) => ctx.postMessage(m);

let backend: BackendReport | null = null;
/** Set when the GPU behind the active backend goes away (WebGPU device lost, WebGL context lost). */
let lostReason: string | null = null;

const WASM_PATHS = {
  'tfjs-backend-wasm.wasm': wasmPlain,
  'tfjs-backend-wasm-simd.wasm': wasmSimd,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded,
};

function watchDevice() {
  const b = tf.backend() as unknown as { device?: GPUDevice; gpgpu?: { gl?: { canvas?: EventTarget } } };
  void b.device?.lost?.then((info) => {
    lostReason = info.message || `reason: ${info.reason}`;
  });
  b.gpgpu?.gl?.canvas?.addEventListener?.(
    'webglcontextlost',
    () => {
      lostReason = 'the WebGL context was lost';
    },
    { once: true },
  );
}
/** Threads for the wasm backend (defaultWasmThreads, or ?threads=N), only when cross-origin isolated. */
let askedThreads: number | undefined;
const wasmThreads = () => {
  const threads = askedThreads ?? defaultWasmThreads(navigator.hardwareConcurrency || 1);
  return ctx.crossOriginIsolated && threads >= 2 ? threads : undefined;
};

/** ?threads=N: tfjs-wasm reads its cap (half the logical cores) from hardwareConcurrency, so that is what is raised. */
function askForThreads(threads: number | undefined) {
  if (!threads) return;
  askedThreads = threads;
  Object.defineProperty(navigator, 'hardwareConcurrency', { get: () => 2 * threads, configurable: true });
}

/** The one backend selection in flight: a run that arrives meanwhile waits for it, never starts a second. */
let initializing: Promise<void> | null = null;
let stopRequested = false;
/** Set by a cancel while a folder import runs. */
let importStop = false;
/** The duration estimate in flight, if any (a sweep waits for it). */
let estimating: Promise<unknown> | null = null;
let running = false;

function init(forced?: string): Promise<void> {
  initializing ??= selectOnce(forced);
  return initializing;
}

async function selectOnce(forced?: string) {
  backend = await selectBackend({
    forced: isBackendName(forced) ? forced : undefined,
    wasmPaths: WASM_PATHS,
    wasmThreads: wasmThreads(),
  });
  post({ type: 'backend', report: backend });
}

// Another tab opened the database at a newer version: every later write would fail with
// "connection is closing", so the page hears why at once.
whenClosed((message) => post({ type: 'storageClosed', message }));

// Start-up: saved models that nothing owns (a crash between a model's save and its record) are removed.
void runStorageOp({ kind: 'cleanOrphans' }).catch(() => undefined);

/** Stores a finished run and drops its sweep in one transaction; the page hears which happened. */
async function storeFinished(db: LabDb | null, run: StoredRun): Promise<void> {
  try {
    if (!db) throw new Error('the lab’s storage could not be opened');
    const problem = await noRoomFor(run.bytes ?? JSON.stringify(run.result).length, 'The finished run');
    if (problem) throw new Error(problem);
    await finishRun(db, run);
    post({ type: 'stored', id: run.id });
  } catch (e) {
    post({ type: 'storeFailed', id: run.id, message: storageErrorMessage(e) });
  }
}

ctx.onmessage = async (ev: MessageEvent) => {
  const msg = parseToWorker(ev.data);
  let db: Awaited<ReturnType<typeof openLabDb>> | null = null;
  let releaseLocks: (() => void) | null = null;
  try {
    if (msg.type === 'invalid') {
      post({ type: 'error', message: `The engine received a malformed message: ${msg.reason}.` });
      return;
    }
    if (msg.type === 'cancel') {
      // Stops a run after its step, or a folder import after its image (whichever is going).
      stopRequested = true;
      importStop = true;
      return;
    }
    if (msg.type === 'init') {
      askForThreads(msg.threads);
      await init(msg.backend);
      return;
    }
    if (msg.type === 'request') {
      // Model work (demo, gallery, export, delete) answers its own request, even during a run.
      try {
        const op = msg.op;
        if (STORAGE_OPS.includes(op.kind)) {
          post({ type: 'reply', id: msg.id, ok: true, value: await runStorageOp(op as StorageOp) });
          return;
        }
        if (op.kind === 'estimate') {
          if (running) throw new Error('A run is in progress: its own ETA is the estimate.');
          if (!backend) await init();
          const timing = (async () => {
            const db = await openLabDb().catch(() => null);
            const { dataset } = await loadDataset(op.config.dataset, db);
            return estimateDuration(op.config, dataset, backend ?? undefined);
          })();
          estimating = timing.catch(() => undefined);
          post({ type: 'reply', id: msg.id, ok: true, value: await timing });
          return;
        }
        if (op.kind === 'gallery') {
          post({ type: 'reply', id: msg.id, ok: true, value: await datasetGallery(op.dataset, op.perCell) });
          return;
        }
        if (op.kind === 'importFolder') {
          importStop = false;
          const value = await importFolder(
            op,
            (p) => post({ type: 'importProgress', ...p }),
            () => importStop,
          );
          post({ type: 'reply', id: msg.id, ok: true, value });
          return;
        }
        if (!backend) await init();
        post({
          type: 'reply',
          id: msg.id,
          ok: true,
          value: await runModelOp(op as Exclude<ModelOp, { kind: 'importFolder' | 'gallery' | 'estimate' }>),
        });
      } catch (e) {
        post({ type: 'reply', id: msg.id, ok: false, error: typeof e === 'string' ? e : storageErrorMessage(e) });
      }
      return;
    }
    if (running) {
      post({ type: 'error', message: 'A run is already in progress.' });
      return;
    }
    // A config the page's checks would refuse (a plan of millions, bad settings) ends here, before
    // anything is built, whichever path sent it.
    const problems = validateExperiment(msg.config);
    if (problems.length) {
      post({ type: 'error', message: `The experiment cannot start: ${problems.join(' ')}` });
      return;
    }
    running = true;
    stopRequested = false;
    if (msg.runId) {
      releaseLocks = await holdSweep(msg.runId, msg.config);
      if (!releaseLocks) {
        const message = 'This sweep is running in another tab; it was not started again here.';
        if (msg.resume) post({ type: 'resumeFailed', id: msg.runId, reason: 'elsewhere', message });
        else post({ type: 'error', message });
        return;
      }
      announce({ kind: 'sweepStarted', id: msg.runId });
      // A Resume checks, under the sweep's locks, that it still has what it reads: the record (another tab
      // may have discarded it), the dataset and the imported teacher.
      if (msg.resume) {
        const why = await whyNotResumable(msg.runId, msg.config);
        if (why) {
          // The locks go before the page hears: it offers the sweep again as interrupted, not as running here.
          releaseLocks();
          releaseLocks = null;
          post({ type: 'resumeFailed', id: msg.runId, ...why });
          return;
        }
      }
    }
    // A duration estimate still timing its steps finishes first: the sweep never shares the backend with it.
    await estimating;
    if (!backend) {
      post({ type: 'stage', message: 'Starting the engine' });
      await init();
    }
    try {
      db = await openLabDb();
    } catch {
      db = null;
    }
    post({ type: 'stage', message: 'Loading the dataset' });
    const { dataset, fromCache, cacheWarning } = await loadDataset(msg.config.dataset, db);
    post({ type: 'dataset', name: dataset.name, count: dataset.count, fromCache, warning: cacheWarning });
    const runId = msg.runId;
    let resume: ResumeFrom | undefined;
    if (msg.resume && runId && db) {
      const sweep = (await listSweeps(db)).find((s) => s.id === runId);
      const teacherKey = sweep?.teacher?.modelKey;
      if (!sweep || (sweep.teacher && !teacherKey))
        throw new Error(
          'The interrupted sweep can no longer be resumed (its checkpoint or its teacher model is gone).',
        );
      const inProgress = sweep.current ? await getRunSnapshot(db, runId) : undefined;
      if (teacherKey) post({ type: 'stage', message: 'Loading the checkpointed teacher' });
      resume = await resumeFrom(sweep, inProgress, teacherKey ? () => tf.loadLayersModel(teacherKey) : null);
    }
    const total = planRuns(msg.config).length;
    // Whether this sweep's record is in storage (a resumed one is), and why not when it is not.
    let sweepStored = Boolean(resume);
    let sweepProblem: string | null = null;
    lostReason = null;
    watchDevice();
    // The weight files the setup starts from, read back from this origin's private file system.
    const weights = await storedWeights(msg.config);
    const { result } = await runResilient(
      msg.config,
      dataset,
      backend!,
      {
        weights,
        // Run-level checkpoint: a reload resumes after the last finished model, never redoing one.
        onCheckpoint:
          runId && db
            ? async (state) => {
                try {
                  await putSweep(db!, {
                    id: runId,
                    config: msg.config,
                    ...state,
                    updatedAt: new Date().toISOString(),
                    total,
                  });
                  sweepStored = true;
                } catch (e) {
                  sweepProblem = storageErrorMessage(e);
                  post({
                    type: 'stage',
                    message: `The sweep’s checkpoint could not be written (${sweepProblem}); the run goes on, but a reload now could not resume it.`,
                  });
                }
              }
            : undefined,
        // Epoch-level checkpoint: the model in training goes on from its last finished epoch.
        onRunSnapshot:
          runId && db
            ? async (snap) => {
                try {
                  // Without the sweep's own record there is nothing to attach an epoch checkpoint to: say why.
                  if (!sweepStored)
                    throw new Error(`the sweep’s own record was never stored (${sweepProblem ?? 'no reason given'})`);
                  const bytes = snapshotBytes(snap);
                  const problem = await noRoomFor(bytes, 'The epoch checkpoint');
                  if (problem) throw new Error(problem);
                  await putRunSnapshot(db!, runId, snap, bytes);
                } catch (e) {
                  post({
                    type: 'stage',
                    message: `The epoch checkpoint of ${snap.label} could not be written (${storageErrorMessage(e)}); the run goes on.`,
                  });
                }
              }
            : undefined,
        emit: (e) => {
          post(e);
          // A lost GPU is noticed at the next step and handed to runResilient as a DeviceLostError.
          if (lostReason && e.type === 'progress') throw new DeviceLostError(backend!.name, lostReason);
        },
        shouldStop: () => stopRequested,
        loadTeacher: (key) => tf.loadLayersModel(key),
        // Every trained model is kept for the demo and export; a full disk costs the model, not the run.
        onModel: runId
          ? async (_role, label, model) => {
              try {
                return await saveModel(model, runId, label);
              } catch (e) {
                post({
                  type: 'stage',
                  message: `Could not save the ${label} model (${(e as Error).message}); its results are kept.`,
                });
                return undefined;
              }
            }
          : undefined,
      },
      {
        keepTeacher: async (model) => {
          // Saved to IndexedDB by onModel already when the run has an id; else kept in memory.
          if (runId) {
            const key = modelKey(runId, 'Teacher');
            return () => tf.loadLayersModel(key);
          }
          return keepInMemory(model);
        },
        nextBackend: async (lost, reason) => {
          const order = BACKEND_ORDER.slice(BACKEND_ORDER.indexOf(lost.name) + 1);
          for (const name of order) {
            const report = await selectBackend({ forced: name, wasmPaths: WASM_PATHS, wasmThreads: wasmThreads() });
            if (report.name === name) {
              backend = { ...report, fallbacks: [...lost.fallbacks, `${lost.name}: ${reason}`] };
              lostReason = null;
              watchDevice();
              post({ type: 'backend', report: backend });
              return backend;
            }
          }
          return null;
        },
      },
      fromCache,
      resume,
    );
    if (runId)
      await storeFinished(db, {
        id: runId,
        name: runName(result),
        createdAt: result.startedAt,
        result,
        ownedModels: ownedModelKeys(runId, [result.teacher, ...result.students]),
        bytes: JSON.stringify(result).length,
      });
  } catch (e) {
    if (e instanceof CancelledError) {
      // Cancel is the user's choice, not a crash: the sweep's record, checkpoint and saved models go,
      // so no "interrupted" banner offers it back.
      // This tab holds the sweep's lock, so its records go directly (a discard request would find it held).
      if (msg.type === 'run' && msg.runId) await discardSweepRecords(msg.runId).catch(() => 0);
      post({ type: 'cancelled' });
    } else {
      // A diverged teacher ends its sweep for good (a resume would diverge the same way): its record
      // and checkpoint go before the page hears of it, so no resume is offered.
      if (e instanceof NumericalError && msg.type === 'run' && msg.runId && db)
        await deleteSweep(db, msg.runId).catch(() => undefined);
      post({ type: 'error', message: e instanceof Error ? e.message : String(e) });
    }
  } finally {
    if (msg.type === 'run') {
      running = false;
      if (releaseLocks) {
        releaseLocks();
        if (msg.runId) announce({ kind: 'sweepEnded', id: msg.runId });
      }
    }
  }
};
