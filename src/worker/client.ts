import type { BackendName } from '../engine/types';
import type { FromWorker, ToWorker, WorkerOp } from './protocol';

/** The page's handle on the engine worker. */
export class EngineClient {
  private worker: Worker;
  private listeners = new Set<(m: FromWorker) => void>();
  private pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  private nextId = 1;
  /** Set once the worker has failed: it is terminated, and the page starts a fresh one for the next action. */
  dead = false;

  constructor() {
    this.worker = new Worker(new URL('./engine.worker.ts', import.meta.url), {
      type: 'module',
      name: 'fairdistill-engine',
    });
    this.worker.onmessage = (e: MessageEvent<FromWorker>) => {
      const m = e.data;
      if (m.type === 'reply') {
        const p = this.pending.get(m.id);
        this.pending.delete(m.id);
        if (m.ok) p?.resolve(m.value);
        else p?.reject(new Error(m.error));
        return;
      }
      this.listeners.forEach((l) => l(m));
    };
    this.worker.onerror = (e) => {
      e.preventDefault();
      // An error that escaped the worker's own handling: its state is unknown, so it is stopped, and
      // nothing more will answer — every request in flight fails instead of hanging.
      this.dead = true;
      this.worker.terminate();
      const message = `The engine worker failed (${e.message || 'unknown error'}) and was stopped. Finished runs, cached datasets and checkpoints are kept; an interrupted sweep can be resumed.`;
      this.pending.forEach((p) => p.reject(new Error(message)));
      this.pending.clear();
      this.listeners.forEach((l) => l({ type: 'error', message }));
    };
  }

  send(m: ToWorker): void {
    this.worker.postMessage(m);
  }

  /** Work in the worker (demo, gallery, export, stored records), answered by its reply. */
  request<T>(op: WorkerOp): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve, reject });
      this.send({ type: 'request', id, op });
    });
  }

  init(backend?: BackendName, threads?: number): void {
    this.send({ type: 'init', backend, threads });
  }

  on(listener: (m: FromWorker) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
