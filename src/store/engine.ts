import { EngineClient } from '../worker/client';
import type { FromWorker, WorkerOp } from '../worker/protocol';
import { readUrlSetup } from './urlConfig';

/** The page's one engine worker: started on first use, started afresh after it failed. */

export const url = readUrlSetup(typeof location === 'undefined' ? '' : location.search);

let client: EngineClient | null = null;
let listener: ((m: FromWorker) => void) | null = null;

/** Who hears the worker's messages (the store, once). */
export function listenToEngine(l: (m: FromWorker) => void): void {
  listener = l;
}

export function engine(): EngineClient {
  if (!client || client.dead) {
    client = new EngineClient();
    client.on((m) => listener?.(m));
    client.init(url.backend, url.threads);
  }
  return client;
}

/** Sends work to the engine worker (models, imports, changes to stored records). */
export function engineRequest<T>(op: WorkerOp): Promise<T> {
  return engine().request<T>(op);
}
