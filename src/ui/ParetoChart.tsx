import { useEffect, useRef } from 'react';
import type { RunPoint } from '../analysis/compare';
import { useLab } from '../store/labStore';
import { loadPlotly, PLOT_CONFIG, TRANSPARENT } from './plotly';

/** Method colours on the Pareto scatter (the teacher is black, labels only grey). */
const METHOD_COLORS = ['#f97316', '#0ea5e9', '#a855f7', '#16a34a', '#e11d48'];

/** The scatter's x: excess mean |disparity| ×100 (raw where a run has no excess), NaN when not measurable. */
const excessOf = (p: RunPoint) => 100 * (p.excess ?? p.bias ?? NaN);

/**
 * Accuracy against excess bias, every student of the run a point labelled with its λ in its method's
 * colour, the teacher and the labels-only student as references, the Pareto front (chosen on
 * validation) drawn through its points and the slider's run ringed.
 */
export function ParetoChart({ points }: { points: RunPoint[] }) {
  const result = useLab((s) => s.result);
  const view = useLab((s) => s.view);
  const pareto = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const node = pareto.current;
    if (!node || points.length === 0) return;
    let live = true;
    void loadPlotly().then((Plotly) => {
      if (!live) return;
      const front = points.filter((p) => p.pareto).sort((a, b) => excessOf(a) - excessOf(b));
      const methodsIn = [...new Set(points.map((p) => p.series))];
      const baseline = result?.students.find((m) => m.role === 'baseline');
      const references = [
        // Their labels sit on opposite sides, so the two never print over each other at one point.
        ...(result
          ? [{ model: result.teacher, name: 'Teacher', color: '#0f172a', symbol: 'star', position: 'bottom right' }]
          : []),
        ...(baseline
          ? [{ model: baseline, name: 'Labels only', color: '#94a3b8', symbol: 'x', position: 'top left' }]
          : []),
      ]
        .map((r) => ({
          ...r,
          x: 100 * (r.model.fairness.excessMeanAbsDisparity ?? r.model.fairness.meanAbsDisparity ?? NaN),
          y: 100 * r.model.test.accuracy,
        }))
        .filter((r) => Number.isFinite(r.x));
      const selected = points.find((p) => view && p.series === view.series && p.lambda === view.lambda);
      // Room on both sides for the labels beside the points ("Teacher" right of the rightmost one).
      const xs = [...points.map(excessOf), ...references.map((r) => r.x)].filter(Number.isFinite);
      const [lo, hi] = [Math.min(...xs), Math.max(...xs)];
      const pad = Math.max(hi - lo, 1);
      void Plotly.react(
        node,
        [
          // One colour per method, each point labelled with its λ; Pareto-optimal points as diamonds.
          ...methodsIn.map((m, k) => {
            const own = points.filter((p) => p.series === m);
            return {
              type: 'scatter',
              mode: 'markers+text',
              name: m,
              x: own.map(excessOf),
              y: own.map((p) => 100 * p.accuracy),
              text: own.map((p) => `λ=${p.lambda}`),
              textposition: 'top center',
              textfont: { size: 10, color: METHOD_COLORS[k % METHOD_COLORS.length] },
              customdata: own.map((p) => `${p.label}${p.pareto ? ' · Pareto-optimal' : ''}`),
              hovertemplate: '%{customdata}<br>excess mean |disp.| %{x:.1f} · top-1 %{y:.1f}% (test)<extra></extra>',
              marker: {
                size: 10,
                color: METHOD_COLORS[k % METHOD_COLORS.length],
                symbol: own.map((p) => (p.pareto ? 'diamond' : 'circle')),
                line: { color: own.map((p) => (p.pareto ? '#16a34a' : '#fff')), width: 2 },
              },
            };
          }),
          // The references: the teacher, and the student trained from labels alone.
          ...references.map((r) => ({
            type: 'scatter',
            mode: 'markers+text',
            name: r.name,
            x: [r.x],
            y: [r.y],
            text: [r.name],
            textposition: r.position,
            textfont: { size: 10, color: '#0f172a' },
            hovertemplate: `${r.name}<br>excess mean |disp.| %{x:.1f} · top-1 %{y:.1f}% (test)<extra></extra>`,
            marker: { size: 13, color: r.color, symbol: r.symbol, line: { color: '#0f172a', width: 1 } },
          })),
          {
            type: 'scatter',
            mode: 'lines',
            name: 'Pareto front',
            x: front.map(excessOf),
            y: front.map((p) => 100 * p.accuracy),
            line: { color: '#16a34a', dash: 'dot', shape: 'hv' },
            hoverinfo: 'skip',
          },
          ...(selected
            ? [
                {
                  type: 'scatter',
                  mode: 'markers',
                  name: 'on the slider',
                  x: [excessOf(selected)],
                  y: [100 * selected.accuracy],
                  marker: { size: 16, color: 'rgba(0,0,0,0)', line: { color: '#0ea5e9', width: 3 } },
                  hoverinfo: 'skip',
                },
              ]
            : []),
        ],
        {
          // The legend below the axis title, not over it: its own band at the foot.
          height: 360,
          margin: { l: 55, r: 10, t: 10, b: 115 },
          xaxis: {
            title: { text: 'excess mean |disp.| ×100 (test; lower is fairer)', standoff: 8 },
            range: [lo - 0.22 * pad, hi + 0.22 * pad],
          },
          yaxis: { title: { text: 'top-1 %' } },
          legend: { orientation: 'h', x: 0, y: -0.3, yanchor: 'top' },
          ...TRANSPARENT,
        },
        PLOT_CONFIG,
      );
    });
    return () => {
      live = false;
    };
  }, [points, view, result]);

  return <div ref={pareto} className="chart" data-testid="pareto-chart" />;
}
