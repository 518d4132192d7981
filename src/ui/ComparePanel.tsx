import { useEffect, useMemo, useRef } from 'react';
import { disparityBars, lambdasOf, METHOD_SHORT, methodsOf } from '../analysis/compare';
import { useLab } from '../store/labStore';
import { loadPlotly, PLOT_CONFIG } from './plotly';

const COLORS = { teacher: '#64748b', undebiased: '#f97316', debiased: '#0ea5e9' } as const;

/** The λ slider and the per-class disparity bars it drives; nothing is recomputed on a move. */
export function ComparePanel() {
  const result = useLab((s) => s.result);
  const view = useLab((s) => s.view);
  const setView = useLab((s) => s.setView);
  const el = useRef<HTMLDivElement>(null);
  const methods = useMemo(() => (result ? methodsOf(result) : []), [result]);
  const lambdas = useMemo(() => (result && view ? lambdasOf(result, view.method) : []), [result, view]);
  const bars = useMemo(() => (result && view ? disparityBars(result, view.method, view.lambda) : null), [result, view]);

  useEffect(() => {
    const node = el.current;
    if (!node || !bars) return;
    let live = true;
    void loadPlotly().then((Plotly) => {
      if (!live) return;
      const names = bars.classes.map((c) => c.name);
      void Plotly.react(
        node,
        bars.series.map((s) => ({
          type: 'bar',
          name: `${s.label} (mean |disp.| ${(100 * s.meanAbsDisparity).toFixed(1)})`,
          x: names,
          y: s.values.map((v) => (v === null ? null : 100 * v)),
          marker: { color: COLORS[s.key] },
          hovertext: s.hover,
          hoverinfo: 'text+y',
        })),
        {
          barmode: 'group',
          height: 320,
          margin: { l: 55, r: 10, t: 10, b: 90 },
          yaxis: { title: { text: 'disparity ×100 (recall A − recall B)' }, zeroline: true },
          legend: { orientation: 'h', y: -0.35 },
          paper_bgcolor: 'rgba(0,0,0,0)',
          plot_bgcolor: 'rgba(0,0,0,0)',
        },
        PLOT_CONFIG,
      );
    });
    return () => {
      live = false;
    };
  }, [bars]);

  if (!result || !view || !bars) return null;
  const index = Math.max(0, lambdas.indexOf(view.lambda));
  const [g0, g1] = result.dataset.groupNames;
  return (
    <section className="card" data-testid="compare-panel">
      <div className="card-head">
        <h2>Per-class disparity</h2>
        <div className="toggles">
          {methods.length > 1 && (
            <label>
              Method{' '}
              <select
                value={view.method}
                data-testid="compare-method"
                onChange={(e) => {
                  const method = e.target.value as typeof view.method;
                  const ls = lambdasOf(result, method);
                  setView({ method, lambda: ls.includes(view.lambda) ? view.lambda : ls[ls.length - 1] });
                }}
              >
                {methods.map((m) => (
                  <option key={m} value={m}>
                    {METHOD_SHORT[m]}
                  </option>
                ))}
              </select>
            </label>
          )}
          <label className="slider">
            <span>
              λ = <strong data-testid="lambda-value">{view.lambda}</strong>
            </span>
            <input
              type="range"
              min={0}
              max={Math.max(0, lambdas.length - 1)}
              step={1}
              value={index}
              disabled={lambdas.length < 2}
              aria-label="Debiasing weight λ"
              aria-valuetext={`λ = ${view.lambda}`}
              list="lambda-stops"
              data-testid="lambda-slider"
              onChange={(e) => setView({ method: view.method, lambda: lambdas[Number(e.target.value)] })}
            />
            <datalist id="lambda-stops">
              {lambdas.map((l, i) => (
                <option key={l} value={i} label={String(l)} />
              ))}
            </datalist>
          </label>
        </div>
      </div>
      <p className="muted">
        {g0} minus {g1} recall per class, sorted by the teacher’s |disparity|. Orange: the student distilled without the
        adversary (λ = 0); blue: the student at the λ on the slider. The slider only moves between λ values that have
        runs.
      </p>
      <div ref={el} className="chart" data-testid="disparity-chart" />
      <table className="visually-hidden-table" data-testid="disparity-values">
        <caption>Disparity ×100 per class</caption>
        <thead>
          <tr>
            <th scope="col">Class</th>
            {bars.series.map((s) => (
              <th key={s.key} scope="col">
                {s.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {bars.classes.map((c, i) => (
            <tr key={c.index}>
              <th scope="row">{c.name}</th>
              {bars.series.map((s) => (
                <td key={s.key} data-series={s.key} data-class={c.name}>
                  {s.values[i] === null ? '—' : (100 * s.values[i]).toFixed(1)}
                </td>
              ))}
            </tr>
          ))}
          <tr>
            <th scope="row">mean |disparity|</th>
            {bars.series.map((s) => (
              <td key={s.key} data-series={s.key} data-mean="true">
                {(100 * s.meanAbsDisparity).toFixed(2)}
              </td>
            ))}
          </tr>
        </tbody>
      </table>
    </section>
  );
}
