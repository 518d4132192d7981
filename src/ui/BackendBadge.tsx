import { useLab } from '../store/labStore';

const NAMES = { webgpu: 'WebGPU', webgl: 'WebGL', wasm: 'WASM', cpu: 'CPU' } as const;

export function BackendBadge() {
  const backend = useLab((s) => s.backend);
  const error = useLab((s) => s.backendError);
  if (error)
    return (
      <span className="badge badge-error" data-testid="backend-badge" title={error}>
        No backend
      </span>
    );
  if (!backend)
    return (
      <span className="badge badge-pending" data-testid="backend-badge">
        Starting engine…
      </span>
    );
  const why = backend.fallbacks.length ? `Fell back: ${backend.fallbacks.join('; ')}` : 'First choice';
  return (
    <span className={`badge badge-${backend.name}`} data-testid="backend-badge" data-backend={backend.name} title={why}>
      {NAMES[backend.name]}
      {backend.threads && backend.threads > 1 ? ` · ${backend.threads} threads` : ''}
      {backend.forced ? ' (forced)' : ''}
      {backend.fallbacks.length > 0 && (
        <span className="badge-why" data-testid="backend-why">
          {' '}
          · {backend.fallbacks.join('; ')}
        </span>
      )}
    </span>
  );
}
