import { useEffect, useMemo, useRef } from 'react';
import { bestEpoch } from '../analysis/validation';
import { useLab } from '../store/labStore';
import { loadPlotly, PLOT_CONFIG, studentLine, TEACHER_COLOR } from './plotly';

/**
 * Validation accuracy after every epoch of every model, each model's kept (best) epoch marked, and the
 * validation figures the lab chose with — what the loss chart (training loss per step) does not show.
 */
export function ValidationPanel() {
  const result = useLab((s) => s.result);
  const el = useRef<HTMLDivElement>(null);
  const models = useMemo(() => (result ? [result.teacher, ...result.students] : []), [result]);
  useEffect(() => {
    const node = el.current;
    if (!node || !result || !models.length) return;
    let live = true;
    void loadPlotly().then((Plotly) => {
      if (!live) return;
      const traces = models.flatMap((m, i) => {
        const best = bestEpoch(m, result);
        const epochs = m.valAccuracy.map((_, e) => e + 1);
        // The teacher in its own colour; each student its own, its kept-epoch star filled with it.
        const look = m.role === 'teacher' ? { color: TEACHER_COLOR, dash: 'solid' } : studentLine(i - 1);
        return [
          {
            type: 'scatter',
            mode: 'lines+markers',
            name: m.label,
            legendgroup: m.label,
            x: epochs,
            y: m.valAccuracy.map((a) => 100 * a),
            line: { width: m.role === 'teacher' ? 3 : 1.5, color: look.color, dash: look.dash },
            marker: { color: look.color },
            hovertemplate: `${m.label} · epoch %{x}: %{y:.1f}%<extra></extra>`,
          },
          ...(best === null
            ? []
            : [
                {
                  type: 'scatter',
                  mode: 'markers',
                  name: `${m.label} · kept epoch`,
                  legendgroup: m.label,
                  showlegend: false,
                  x: [best],
                  y: [100 * m.valAccuracy[best - 1]],
                  marker: { symbol: 'star', size: 12, color: look.color, line: { color: '#ffffff', width: 1 } },
                  hovertemplate: `${m.label}: kept epoch ${best} (%{y:.1f}%)<extra></extra>`,
                },
              ]),
        ];
      });
      void Plotly.react(
        node,
        traces,
        {
          height: 320,
          margin: { l: 55, r: 10, t: 10, b: 45 },
          xaxis: { title: { text: 'epoch' }, dtick: 1 },
          yaxis: { title: { text: 'validation top-1 %' } },
          legend: { orientation: 'h', y: -0.3, font: { size: 10 } },
          paper_bgcolor: 'rgba(0,0,0,0)',
          plot_bgcolor: 'rgba(0,0,0,0)',
        },
        PLOT_CONFIG,
      );
    });
    return () => {
      live = false;
    };
  }, [models, result]);
  if (!result || !models.length) return null;
  return (
    <section className="card" data-testid="validation-panel">
      <div className="card-head">
        <h2>Validation</h2>
      </div>
      <p className="muted">
        Top-1 on the validation split after each epoch; the star, in its model’s colour, is the epoch whose weights each
        model kept (the best on validation; a debiased student chooses from the epoch after the adversary’s warm-up).
        The recommended λ and the Pareto front are chosen on these figures, and reported on test.
      </p>
      <div ref={el} className="chart" data-testid="validation-chart" />
      <table className="visually-hidden-table" data-testid="validation-values">
        <caption>Validation figures per model</caption>
        <thead>
          <tr>
            <th scope="col">Model</th>
            <th scope="col">Kept epoch</th>
            <th scope="col">Validation top-1 %</th>
            <th scope="col">Validation excess ×100</th>
          </tr>
        </thead>
        <tbody>
          {models.map((m) => (
            <tr key={m.label}>
              <th scope="row">{m.label}</th>
              <td data-best-epoch={m.label}>{bestEpoch(m, result) ?? '—'}</td>
              <td>{m.validation ? (100 * m.validation.accuracy).toFixed(1) : '—'}</td>
              <td>
                {m.validation?.excessMeanAbsDisparity == null
                  ? '—'
                  : (100 * m.validation.excessMeanAbsDisparity).toFixed(2)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
