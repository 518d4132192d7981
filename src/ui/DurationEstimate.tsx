import { useEffect, useState } from 'react';
import type { DurationEstimate as Estimate } from '../engine/run/estimate';
import { validateExperiment } from '../engine/plan';
import { engineRequest, useLab } from '../store/labStore';
import { duration, formatBytes } from './format';

/**
 * Before Distill: how long this setup's sweep should take on this machine, from a few steps the
 * engine times now (asked again, after a pause, whenever the setup or the backend changes).
 */
export function DurationEstimate({ seeds = 1 }: { seeds?: number }) {
  const config = useLab((s) => s.config);
  const backend = useLab((s) => s.backend);
  const status = useLab((s) => s.status);
  const [estimate, setEstimate] = useState<{ key: string; value: Estimate } | null>(null);
  const key = JSON.stringify(config) + (backend?.name ?? '');
  const valid = validateExperiment(config).length === 0;
  useEffect(() => {
    if (!backend || status !== 'idle' || !valid) return;
    let live = true;
    const timer = window.setTimeout(() => {
      engineRequest<Estimate>({ kind: 'estimate', config }).then(
        (value) => {
          if (live) setEstimate({ key, value });
        },
        () => undefined, // no estimate (a run started, the dataset is gone): the run's own ETA takes over
      );
    }, 800);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [key, backend, status, valid, config]);
  if (!backend || status !== 'idle') return null;
  const current = estimate?.key === key ? estimate.value : null;
  const memory = current?.memory;
  if (memory?.problem)
    return (
      <p className="warning-text" role="alert" data-testid="duration-estimate" data-seconds="">
        {memory.problem}
      </p>
    );
  return (
    <p className="muted" data-testid="duration-estimate" data-seconds={current ? Math.round(current.seconds) : ''}>
      {current
        ? `About ${duration(seeds * current.seconds)} on this machine${seeds > 1 ? ` for ${seeds} seeds (${duration(current.seconds)} each)` : ''} (${backend.name}; timed from its steps just now: ${current.models} models, ${current.stepsPerEpoch} steps per epoch)${memory ? `; a training step holds about ${formatBytes(memory.bytes)}` : ''}. Other work on the machine slows a run past this; the run's own ETA follows it.`
        : 'Timing a few steps of this setup…'}
    </p>
  );
}
