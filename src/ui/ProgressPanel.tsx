import { useEffect, useRef } from 'react';
import { useLab } from '../store/labStore';
import { duration } from './format';

/** Focus that a control took with it when it was disabled or removed lands on <body>. */
const focusLost = () => document.activeElement === document.body || document.activeElement === null;

export function ProgressPanel() {
  const { status, stage, progress, dataset, cancel } = useLab();
  const cancelButton = useRef<HTMLButtonElement>(null);
  const running = status !== 'idle';
  // Distill disables itself as the sweep starts (Enter or a click): the keyboard goes on from Cancel;
  // when the sweep ends and Cancel goes, it comes back to Distill.
  useEffect(() => {
    const distill = document.querySelector<HTMLButtonElement>('[data-testid="distill"]');
    if (running && (focusLost() || document.activeElement === distill)) cancelButton.current?.focus();
    if (!running && focusLost()) distill?.focus();
  }, [running]);
  if (status === 'idle' && !progress && !stage) return null;
  const fraction = progress?.fraction ?? (stage === 'Done' ? 1 : 0);
  return (
    <section className="card progress-card" aria-live="polite">
      <div className="progress-head">
        <strong data-testid="stage">{stage}</strong>
        {dataset && (
          <span className="muted" data-testid="dataset-source">
            {dataset.name} · {dataset.count.toLocaleString('en-US')} images ·{' '}
            {dataset.fromCache ? 'loaded from the IndexedDB cache' : 'generated and cached'}
          </span>
        )}
      </div>
      <div
        className="progress-track"
        role="progressbar"
        aria-label="Progress of the sweep"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.round(100 * fraction)}
      >
        <div className="progress-fill" style={{ width: `${(100 * fraction).toFixed(1)}%` }} />
      </div>
      {progress && (
        <div className="progress-meta" data-testid="progress-meta">
          <span>{progress.runLabel}</span>
          <span>
            run {progress.run + 1}/{progress.runs}
          </span>
          <span>
            epoch {progress.epoch}/{progress.epochs}
          </span>
          <span>
            step {progress.step}/{progress.steps}
          </span>
          <span>{(100 * fraction).toFixed(0)}%</span>
          <span>ETA {duration(progress.etaSeconds)}</span>
        </div>
      )}
      {dataset?.warning && <p className="warning">{dataset.warning}</p>}
      {status !== 'idle' && (
        <button
          type="button"
          className="secondary"
          ref={cancelButton}
          onClick={cancel}
          disabled={status === 'cancelling'}
          data-testid="cancel"
        >
          {status === 'cancelling' ? 'Cancelling…' : 'Cancel'}
        </button>
      )}
    </section>
  );
}
