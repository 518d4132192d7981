import { useEffect, useMemo, useRef } from 'react';
import { overlay } from '../analysis/overlay';
import { useLab } from '../store/labStore';
import { loadPlotly, PLOT_CONFIG } from './plotly';

const TRANSPARENT = { paper_bgcolor: 'rgba(0,0,0,0)', plot_bgcolor: 'rgba(0,0,0,0)' };

const CURVE_COLORS = ['#0f172a', '#f97316', '#0ea5e9', '#a855f7', '#16a34a', '#e11d48', '#ca8a04', '#0d9488'];
const CURVE_DASHES = ['solid', 'dash', 'dot', 'dashdot'];

/** Stored runs picked in the list (from any sweeps), side by side: their models' figures and loss curves. */
export function OverlayPanel() {
  const runs = useLab((s) => s.runs);
  const compared = useLab((s) => s.compared);
  const picked = useMemo(() => compared.flatMap((id) => runs.filter((r) => r.id === id)), [runs, compared]);
  const data = useMemo(() => (picked.length >= 2 ? overlay(picked) : null), [picked]);
  const bars = useRef<HTMLDivElement>(null);
  const curves = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!data || !bars.current || !curves.current) return;
    const [barNode, curveNode] = [bars.current, curves.current];
    let live = true;
    void loadPlotly().then(async (Plotly) => {
      if (!live) return;
      await Plotly.react(
        barNode,
        data.runs.map((r, i) => ({
          type: 'bar',
          name: r.name,
          x: data.labels,
          y: data.bias[i].map((v) => (v === null ? null : 100 * v)),
          customdata: data.accuracy[i].map((v) => (v === null ? null : 100 * v)),
          hovertemplate:
            '%{x}<br>excess mean |disp.| %{y:.1f} · top-1 %{customdata:.1f}%<extra>%{fullData.name}</extra>',
        })),
        {
          barmode: 'group',
          height: 300,
          margin: { l: 55, r: 10, t: 10, b: 90 },
          yaxis: { title: { text: 'excess mean |disp.| ×100' } },
          legend: { orientation: 'h', y: -0.35 },
          ...TRANSPARENT,
        },
        PLOT_CONFIG,
      );
      await Plotly.react(
        curveNode,
        // Colour by model, dash by run; the legend names both (grouped by run, click a run to hide it).
        data.curves.map((c) => ({
          type: 'scatter',
          mode: 'lines',
          name: c.label,
          legendgroup: c.run,
          legendgrouptitle: { text: c.run },
          x: c.steps,
          y: c.loss,
          line: {
            width: 1.5,
            color: CURVE_COLORS[data.labels.indexOf(c.label) % CURVE_COLORS.length],
            dash: CURVE_DASHES[data.runs.findIndex((r) => r.name === c.run) % CURVE_DASHES.length],
          },
        })),
        {
          height: 300 + 18 * Math.ceil(data.curves.length / 4),
          margin: { l: 50, r: 10, t: 10, b: 40 },
          xaxis: { title: { text: 'step' } },
          yaxis: { title: { text: 'loss' } },
          showlegend: true,
          legend: { orientation: 'h', y: -0.3, font: { size: 10 }, groupclick: 'togglegroup' },
          ...TRANSPARENT,
        },
        PLOT_CONFIG,
      );
    });
    return () => {
      live = false;
    };
  }, [data]);

  if (!data) return null;
  return (
    <section className="card" data-testid="overlay-panel" data-runs={data.runs.length}>
      <div className="card-head">
        <h2>Runs side by side</h2>
        <span className="muted">{data.runs.length} runs picked in the list below</span>
      </div>
      <p className="muted">
        Each model’s bias above the noise floor, one bar per run (hover for its accuracy), and every model’s loss curve
        of every picked run. Runs may come from different sweeps, presets or datasets.
      </p>
      <div ref={bars} className="chart" data-testid="overlay-bars" />
      <div ref={curves} className="chart" data-testid="overlay-curves" />
    </section>
  );
}
