import { useMemo } from 'react';
import { seedGroups } from '../analysis/seedGroups';
import { formatFigure, formatReduction, INFORMATIVE_SEEDS, intervalNote } from '../analysis/summary';
import type { ExperimentConfig } from '../engine/types';
import { useLab } from '../store/labStore';

/** Stored runs of one setup with different seeds, summarised as the mean with its 95% t-interval. */
export function SeedsPanel() {
  const runs = useLab((s) => s.runs);
  const status = useLab((s) => s.status);
  const groups = useMemo(() => seedGroups(runs), [runs]);
  // The seeds a group lacks for an informative interval: the smallest ones it has not run.
  const missing = (seeds: number[]) => {
    const out: number[] = [];
    for (let s = 0; out.length < INFORMATIVE_SEEDS - seeds.length; s++) if (!seeds.includes(s)) out.push(s);
    return out;
  };
  const runMore = (config: ExperimentConfig, seeds: number[]) => {
    const lab = useLab.getState();
    lab.updateConfig(config);
    lab.distillSeeds(seeds);
  };
  if (!groups.length) return null;
  return (
    <section className="card" data-testid="seeds-panel">
      <div className="card-head">
        <h2>Across seeds</h2>
      </div>
      <p className="muted">
        Stored runs of the same setup with different seeds: each figure is the mean over the seeds with its 95%
        t-interval [low, high]. Run the same setup again with another seed (Training → Seed) to add one.
      </p>
      {groups.map((g) => {
        const lacking = missing(g.seeds);
        return (
          <div key={g.key} className="table-wrap" tabIndex={0}>
            <table className="results seeds" data-testid="seed-group">
              <caption>
                {g.name} — seeds {g.seeds.join(', ')} (n = {g.seeds.length})
                <br />
                <span className="muted" data-testid="seed-interval-note">
                  {intervalNote(g.rows)}
                </span>
                {lacking.length > 0 && (
                  <>
                    {' '}
                    <button
                      type="button"
                      className="secondary"
                      disabled={status !== 'idle'}
                      data-testid="run-more-seeds"
                      title="Puts this group's setup on the left and runs it with the seeds it lacks, each stored as its own run"
                      onClick={() => runMore(g.runs[0].result.config, lacking)}
                    >
                      Run seed{lacking.length > 1 ? 's' : ''} {lacking.join(', ')}
                    </button>
                  </>
                )}
              </caption>
              <thead>
                <tr>
                  <th scope="col">Model</th>
                  <th scope="col">Top-1 %</th>
                  <th scope="col">Mean |disp.| ×100</th>
                  <th scope="col">Excess ×100</th>
                  <th scope="col">Bias vs teacher</th>
                  <th scope="col">Excess vs teacher</th>
                  <th scope="col">Excess reduction</th>
                  <th scope="col">Δacc pt</th>
                </tr>
              </thead>
              <tbody>
                {g.rows.map((r) => (
                  <tr key={r.label}>
                    <th scope="row">{r.label}</th>
                    <td>{formatFigure(r.accuracy, 100)}</td>
                    <td>{formatFigure(r.meanAbsDisparity, 100, 2)}</td>
                    <td>{formatFigure(r.excessMeanAbsDisparity, 100, 2)}</td>
                    <td>{formatFigure(r.biasVsTeacher, 100, 0, true)}</td>
                    <td>{formatFigure(r.excessBiasVsTeacher, 100, 0, true)}</td>
                    <td>{formatReduction(r.excessBiasReduction)}</td>
                    <td>{formatFigure(r.accuracyChange, 1, 2, true)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        );
      })}
    </section>
  );
}
