import { useEffect, useMemo, useRef } from 'react';
import { overlay } from '../analysis/overlay';
import { useLab } from '../store/labStore';
import { loadPlotly, PLOT_CONFIG } from './plotly';

const TRANSPARENT = { paper_bgcolor: 'rgba(0,0,0,0)', plot_bgcolor: 'rgba(0,0,0,0)' };

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
        data.curves.map((c) => ({
          type: 'scatter',
          mode: 'lines',
          name: `${c.run} · ${c.label}`,
          x: c.steps,
          y: c.loss,
          line: { width: 1.5 },
        })),
        {
          height: 300,
          margin: { l: 50, r: 10, t: 10, b: 40 },
          xaxis: { title: { text: 'step' } },
          yaxis: { title: { text: 'loss' } },
          showlegend: false,
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
