import type { BackendName, BackendReport, ExperimentConfig, LabEvent } from '../engine/types';

/** Messages the page sends to the engine worker. */
export type ToWorker =
  | { type: 'init'; backend?: BackendName }
  | { type: 'run'; config: ExperimentConfig }
  | { type: 'cancel' };

/** Messages the worker sends back: engine events plus its own. */
export type FromWorker =
  | LabEvent
  | { type: 'backend'; report: BackendReport }
  | { type: 'dataset'; name: string; count: number; fromCache: boolean; warning?: string };

/** Checks a message at the boundary: a malformed one becomes an error, never a silent hang. */
export function parseToWorker(data: unknown): ToWorker | { type: 'invalid'; reason: string } {
  if (!data || typeof data !== 'object') return { type: 'invalid', reason: 'message is not an object' };
  const m = data as Record<string, unknown>;
  switch (m.type) {
    case 'init':
      return { type: 'init', backend: typeof m.backend === 'string' ? (m.backend as BackendName) : undefined };
    case 'cancel':
      return { type: 'cancel' };
    case 'run': {
      const c = m.config as Record<string, unknown> | undefined;
      if (!c || typeof c !== 'object' || !c.dataset || !Array.isArray(c.methods) || !Array.isArray(c.lambdas)) {
        return { type: 'invalid', reason: 'run message without a complete experiment config' };
      }
      return { type: 'run', config: c as unknown as ExperimentConfig };
    }
    default:
      return { type: 'invalid', reason: `unknown message type ${JSON.stringify(m.type)}` };
  }
}
