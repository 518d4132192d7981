import type { BackendName } from '../engine/types';
import type { FromWorker, ToWorker } from './protocol';

/** The page's handle on the engine worker. */
export class EngineClient {
  private worker: Worker;
  private listeners = new Set<(m: FromWorker) => void>();

  constructor() {
    this.worker = new Worker(new URL('./engine.worker.ts', import.meta.url), { type: 'module', name: 'fairdistill-engine' });
    this.worker.onmessage = (e: MessageEvent<FromWorker>) => this.listeners.forEach((l) => l(e.data));
    this.worker.onerror = (e) => {
      e.preventDefault();
      this.listeners.forEach((l) => l({ type: 'error', message: `The engine worker failed: ${e.message || 'unknown error'}` }));
    };
  }

  send(m: ToWorker): void {
    this.worker.postMessage(m);
  }

  init(backend?: BackendName): void {
    this.send({ type: 'init', backend });
  }

  on(listener: (m: FromWorker) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
