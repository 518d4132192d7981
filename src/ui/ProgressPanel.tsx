import { useLab } from '../store/labStore';
import { duration } from './format';

export function ProgressPanel() {
  const { status, stage, progress, dataset, cancel } = useLab();
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
