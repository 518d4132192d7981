import { useEffect, useMemo, useRef, useState } from 'react';
import { disparityBars, lambdasOf, seriesIn } from '../analysis/compare';
import { DEFAULT_ACCURACY_BUDGET, recommendLambda } from '../engine/metrics/recommendation';
import { useLab } from '../store/labStore';
import { loadPlotly, PLOT_CONFIG } from './plotly';

const COLORS = { teacher: '#64748b', undebiased: '#f97316', debiased: '#0ea5e9' } as const;

/** The λ slider and the per-class disparity bars it drives; nothing is recomputed on a move. */
export function ComparePanel() {
  const result = useLab((s) => s.result);
  const view = useLab((s) => s.view);
  const setView = useLab((s) => s.setView);
  const el = useRef<HTMLDivElement>(null);
  const lines = useMemo(() => (result ? seriesIn(result) : []), [result]);
  const lambdas = useMemo(() => (result && view ? lambdasOf(result, view.series) : []), [result, view]);
  const bars = useMemo(() => (result && view ? disparityBars(result, view.series, view.lambda) : null), [result, view]);
  const [budget, setBudget] = useState(DEFAULT_ACCURACY_BUDGET);
  const recommended = useMemo(
    () => (result && view ? recommendLambda(result.students, view.series, budget) : null),
    [result, view, budget],
  );

  useEffect(() => {
    const node = el.current;
    if (!node || !bars) return;
    let live = true;
    void loadPlotly().then((Plotly) => {
      if (!live) return;
      const names = bars.classes.map((c) => c.name);
      // The band: ± the noise floor of the student on the slider, per class (what equal recall would show).
      const reference = bars.series[bars.series.length - 1];
      const band = reference.floors.map((f, i) =>
        f === null
          ? null
          : {
              type: 'rect',
              xref: 'x',
              yref: 'y',
              x0: i - 0.45,
              x1: i + 0.45,
              y0: -100 * f,
              y1: 100 * f,
              fillcolor: 'rgba(100,116,139,0.18)',
              line: { width: 0 },
              layer: 'below',
            },
      );
      void Plotly.react(
        node,
        bars.series.map((s) => ({
          type: 'bar',
          name: `${s.label} (mean |disp.| ${s.meanAbsDisparity === null ? 'not measurable' : (100 * s.meanAbsDisparity).toFixed(1)}${s.floor === null ? '' : `, floor ${(100 * s.floor).toFixed(1)}`})`,
          x: names,
          y: s.values.map((v) => (v === null ? null : 100 * v)),
          error_y: {
            type: 'data',
            symmetric: false,
            array: s.errors.map((e, i) => (e === null || s.values[i] === null ? 0 : 100 * (e[1] - s.values[i]!))),
            arrayminus: s.errors.map((e, i) => (e === null || s.values[i] === null ? 0 : 100 * (s.values[i]! - e[0]))),
            thickness: 1.2,
            width: 3,
            color: '#334155',
          },
          marker: { color: COLORS[s.key] },
          hovertext: s.hover,
          // One decimal, the interval in words: Plotly's own hover would print 66.66667 +22.5 / -33.33333.
          hovertemplate: '%{hovertext}<extra></extra>',
        })),
        {
          shapes: band.filter(Boolean),
          barmode: 'group',
          height: 320,
          margin: { l: 72, r: 10, t: 10, b: 90 },
          // Two short lines: the plot is 220 px tall, and one line of the title ran past it.
          yaxis: { title: { text: 'disparity ×100<br>(recall A − recall B)' }, zeroline: true },
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
          {lines.length > 1 && (
            <label>
              Method{' '}
              <select
                value={view.series}
                data-testid="compare-method"
                onChange={(e) => {
                  const series = e.target.value;
                  const ls = lambdasOf(result, series);
                  setView({ series, lambda: ls.includes(view.lambda) ? view.lambda : ls[ls.length - 1] });
                }}
              >
                {lines.map((m) => (
                  <option key={m} value={m}>
                    {m}
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
              onChange={(e) => setView({ series: view.series, lambda: lambdas[Number(e.target.value)] })}
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
        runs. Whiskers: 95% bootstrap intervals. Grey band: ± the noise floor of the student on the slider — what a
        model with the same recall in both groups would still show from sampling alone; bars inside it are noise.
      </p>
      {recommended && (
        <div className="recommendation" data-testid="recommended-lambda">
          <p>
            <strong>Recommended λ = {recommended.lambda}</strong> for {recommended.series ?? view.series}, chosen on the
            validation split: {recommended.rule} On test:{' '}
            {recommended.lambda > 0
              ? `excess bias ${recommended.test.excessBiasReduction === null ? 'not measurable' : `−${(100 * recommended.test.excessBiasReduction).toFixed(0)}%`}, accuracy ${recommended.test.accuracyChangePoints >= 0 ? '+' : ''}${recommended.test.accuracyChangePoints.toFixed(2)} pt.`
              : 'the undebiased student is kept.'}{' '}
            {recommended.lambda !== view.lambda && (
              <button
                type="button"
                className="link"
                data-testid="show-recommended"
                onClick={() => setView({ series: view.series, lambda: recommended.lambda })}
              >
                Show λ = {recommended.lambda}
              </button>
            )}
          </p>
          <label>
            Accuracy budget{' '}
            <input
              type="number"
              min={0}
              max={100}
              step={0.5}
              value={budget}
              aria-label="Accuracy budget in points"
              data-testid="accuracy-budget"
              onChange={(e) => {
                const v = Number(e.target.value);
                if (Number.isFinite(v) && v >= 0) setBudget(v);
              }}
            />{' '}
            pt
          </label>
        </div>
      )}
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
                {s.meanAbsDisparity === null ? 'not measurable' : (100 * s.meanAbsDisparity).toFixed(2)}
              </td>
            ))}
          </tr>
        </tbody>
      </table>
    </section>
  );
}
