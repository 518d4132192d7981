import { useLab } from '../store/labStore';

const NAMES = { webgpu: 'WebGPU', webgl: 'WebGL', wasm: 'WASM', cpu: 'CPU' } as const;

/** Why the lab runs on this backend, without renderer jargon. */
function plainWhy(b: { name: string; fallbacks: string[] }): string {
  const all = b.fallbacks.join(' ');
  if (b.name === 'wasm' || b.name === 'cpu')
    return /software|no GPU adapter|not available/i.test(all)
      ? 'no GPU found: the CPU trains'
      : 'the GPU backends could not start';
  return 'the preferred GPU backend could not start';
}

function kernelsInWords(k: string): string {
  const build = k.replace(/\+fused$/, '');
  if (build === 'relaxed') return 'own SIMD kernels, fused multiply-add (relaxed SIMD)';
  if (build === 'simd') return 'own SIMD kernels (128-bit SIMD)';
  return k;
}

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
  const fell = backend.fallbacks.length ? `Fell back: ${backend.fallbacks.join('; ')}` : 'First choice';
  const a = backend.adapter;
  const adapter = a
    ? ` · adapter: ${[a.vendor, a.architecture, a.device, a.description].filter(Boolean).join(' ')}${a.software ? ' (software)' : ''}`
    : '';
  const kernels = backend.kernels
    ? ` · convolution gradients: ${kernelsInWords(backend.kernels)}${(backend.kernelThreads ?? 1) > 1 ? ` on ${backend.kernelThreads} threads` : ''}${backend.kernels.endsWith('+fused') ? ', with fused swish, batch norm, SE scaling and Adam' : ''}`
    : '';
  const why = fell + adapter + kernels;
  return (
    <span className={`badge badge-${backend.name}`} data-testid="backend-badge" data-backend={backend.name} title={why}>
      {NAMES[backend.name]}
      {backend.threads && backend.threads > 1 ? ` · ${backend.threads} threads` : ''}
      {backend.forced ? ' (forced)' : ''}
      {backend.fallbacks.length > 0 && (
        // In words a person reads at a glance; the renderer names stay in the tooltip (title).
        <span className="badge-why" data-testid="backend-why" data-detail={backend.fallbacks.join('; ')}>
          {' '}
          · {plainWhy(backend)}
        </span>
      )}
    </span>
  );
}
