import { useEffect, useMemo, useRef } from 'react';
import { parallelView } from '../analysis/runsParallel';
import { useLab } from '../store/labStore';
import { loadPlotly, PLOT_CONFIG, TRANSPARENT } from './plotly';

const GROUP_COLORS = ['#0ea5e9', '#f97316', '#16a34a', '#a855f7', '#e11d48', '#64748b', '#ca8a04'];

/**
 * The stored runs setting by setting: one vertical axis per setting that differs between them (found by
 * itself) and per outcome, each run a line across them, coloured by its group (the same setup but the
 * seed, with n in the legend). Each axis is scaled to its own range, written at its ends. Drawn with
 * plotly's basic bundle (lines over normalised axes): its parcoords trace is in neither bundle the lab loads.
 */
export function RunsParallelPanel() {
  const runs = useLab((s) => s.runs);
  const view = useMemo(() => (runs.length >= 2 ? parallelView(runs) : null), [runs]);
  const el = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const node = el.current;
    if (!node || !view) return;
    let live = true;
    const defined = view.axes.map((a) => a.values.filter((v): v is number => v !== null));
    const ranges = defined.map((d) => (d.length ? [Math.min(...d), Math.max(...d)] : [0, 1]));
    const at = (k: number, v: number | null) => {
      if (v === null) return null;
      const [lo, hi] = ranges[k];
      return hi > lo ? (v - lo) / (hi - lo) : 0.5;
    };
    const fmt = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : Number(v.toPrecision(3)).toString());
    const shown = new Set<number>();
    void loadPlotly().then((Plotly) => {
      if (!live) return;
      const traces = runs.slice(0, view.group.length).map((r, i) => {
        const g = view.group[i];
        const first = !shown.has(g);
        shown.add(g);
        return {
          type: 'scatter',
          mode: 'lines+markers',
          name: view.groupNames[g],
          legendgroup: String(g),
          showlegend: first,
          x: view.axes.map((_, k) => k),
          y: view.axes.map((a, k) => at(k, a.values[i])),
          text: view.axes.map((a) => `${r.name}<br>${a.label}: ${a.values[i] === null ? '—' : fmt(a.values[i]!)}`),
          hoverinfo: 'text',
          line: { color: GROUP_COLORS[g % GROUP_COLORS.length], width: 2 },
          marker: { size: 6, color: GROUP_COLORS[g % GROUP_COLORS.length] },
          connectgaps: false,
        };
      });
      const ends = view.axes.flatMap((_, k) => [
        // An axis no run has a value on (no λ > 0 recommended anywhere) says so at both ends.
        {
          x: k,
          y: 1.04,
          text: defined[k].length ? fmt(ranges[k][1]) : '—',
          showarrow: false,
          font: { size: 10 },
          yanchor: 'bottom',
        },
        {
          x: k,
          y: -0.04,
          text: defined[k].length ? fmt(ranges[k][0]) : '—',
          showarrow: false,
          font: { size: 10 },
          yanchor: 'top',
        },
      ]);
      void Plotly.react(
        node,
        traces,
        {
          height: 340,
          margin: { l: 20, r: 20, t: 30, b: 110 },
          xaxis: {
            tickvals: view.axes.map((_, k) => k),
            ticktext: view.axes.map((a) => (a.outcome ? `<b>${a.label}</b>` : a.label)),
            tickangle: -25,
            showgrid: true,
            gridcolor: '#94a3b8',
            zeroline: false,
            range: [-0.3, view.axes.length - 0.7],
          },
          yaxis: { visible: false, range: [-0.15, 1.15] },
          annotations: ends,
          legend: { orientation: 'h', x: 0, y: -0.45, yanchor: 'top' },
          ...TRANSPARENT,
        },
        PLOT_CONFIG,
      );
    });
    return () => {
      live = false;
    };
  }, [view, runs]);
  if (!view) return null;
  return (
    <section className="card" data-testid="runs-parallel" data-axes={view.axes.map((a) => a.label).join('|')}>
      <h2>Stored runs, setting by setting</h2>
      <p className="muted">
        An axis for each setting that differs between the stored runs (
        {view.axes.filter((a) => !a.outcome).length
          ? view.axes
              .filter((a) => !a.outcome)
              .map((a) => a.label)
              .join(', ')
          : 'none does'}
        ), then the outcomes in bold; each axis runs from its lowest value (foot) to its highest (head). A line per run,
        coloured by its setup — the runs of one setup but the seed share a colour, their number in the legend.
      </p>
      <div ref={el} className="chart" data-testid="runs-parallel-chart" />
    </section>
  );
}
