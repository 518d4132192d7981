import { useLab } from '../store/labStore';
import { DurationEstimate } from './DurationEstimate';

/**
 * The foot of the setup: the estimate, how many seeds a click runs, and Distill — the estimate rides
 * with the button, seen where the click is, never behind it. Submitting the setup's form runs it.
 */
export function DistillBar({
  seedCount,
  setSeedCount,
  blocked,
}: {
  seedCount: number;
  setSeedCount: (n: number) => void;
  /** The engine is still starting, or the setup has errors. */
  blocked: boolean;
}) {
  const status = useLab((s) => s.status);
  const seed = useLab((s) => s.config.seed);
  const seedBatch = useLab((s) => s.seedBatch);
  const backend = useLab((s) => s.backend);
  const backendError = useLab((s) => s.backendError);
  const running = status !== 'idle';
  const settling = !backend && !backendError;
  return (
    <div className="distill-bar" data-testid="distill-bar">
      <DurationEstimate seeds={seedCount} />
      <div className="distill-row">
        <label title="Runs the setup once per seed (the seed above and the ones after it), each stored as its own run; “Across seeds” shows their mean with its interval">
          <select
            value={seedCount}
            disabled={running}
            onChange={(e) => setSeedCount(Number(e.target.value))}
            data-testid="seed-count"
            aria-label="Seeds to run"
          >
            {[1, 2, 3, 5].map((n) => (
              <option key={n} value={n}>
                {n === 1 ? '1 seed' : `${n} seeds`}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className="primary" disabled={running || blocked} data-testid="distill">
          {running
            ? seedBatch
              ? `Distilling… seed ${seed} (${seedBatch.total - seedBatch.queue.length} of ${seedBatch.total})`
              : 'Distilling…'
            : settling
              ? 'Starting the engine…'
              : seedCount > 1
                ? `Distill ${seedCount} seeds (${seed}–${seed + seedCount - 1})`
                : 'Distill'}
        </button>
      </div>
    </div>
  );
}
