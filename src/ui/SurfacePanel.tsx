import { useEffect, useMemo, useRef, useState } from 'react';
import { METHOD_SHORT, paretoBasis, runPoints, surfaceGrid, type RunPoint } from '../analysis/compare';
import { useLab } from '../store/labStore';
import { hasWebGL, loadPlotly, loadPlotly3d, PLOT_CONFIG } from './plotly';

const TRANSPARENT = { paper_bgcolor: 'rgba(0,0,0,0)', plot_bgcolor: 'rgba(0,0,0,0)' };

/**
 * λ × method against accuracy (height) and mean |disparity| (colour): a rotatable 3D surface with
 * the runs as points, or — without WebGL, or when asked — a heatmap of the grid (bias as colour,
 * top-1 written in each cell). The Pareto scatter of accuracy
 * vs bias is always shown; Pareto-optimal runs are marked in both.
 */
/** The scatter's x: excess mean |disparity| ×100 (raw where a run has no excess), NaN when not measurable. */
const excessOf = (p: RunPoint) => 100 * (p.excess ?? p.bias ?? NaN);

export function SurfacePanel() {
  const result = useLab((s) => s.result);
  const view = useLab((s) => s.view);
  const webgl = useMemo(() => hasWebGL(), []);
  const [flat, setFlat] = useState(!webgl);
  const main = useRef<HTMLDivElement>(null);
  const pareto = useRef<HTMLDivElement>(null);
  const grid = useMemo(() => (result ? surfaceGrid(result) : null), [result]);
  const points = useMemo(() => (result ? runPoints(result) : []), [result]);
  const basis =
    result && paretoBasis(result) === 'validation' ? 'validation' : 'test (this run has no validation figures)';
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const node = main.current;
    if (!node || !grid || points.length === 0) return;
    let live = true;
    const methodIndex = (m: string) => grid.methods.indexOf(m as never);
    const selected = points.find((p) => view && p.method === view.method && p.lambda === view.lambda);
    const ticks = { tickvals: grid.methods.map((_, i) => i), ticktext: grid.methods.map((m) => METHOD_SHORT[m]) };
    const pct = (v: number | null) => (v === null ? null : 100 * v);
    const draw = async () => {
      if (flat) {
        const Plotly = await loadPlotly();
        if (!live) return;
        // A heatmap drawn with square markers: plotly's basic bundle has no heatmap trace.
        const cells = grid.methods
          .flatMap((m, i) => grid.lambdas.map((l, j) => ({ m, l, bias: grid.bias[i][j], acc: grid.accuracy[i][j] })))
          .filter((c) => c.bias !== null);
        await Plotly.react(
          node,
          [
            {
              type: 'scatter',
              mode: 'markers+text',
              x: cells.map((c) => String(c.l)),
              y: cells.map((c) => METHOD_SHORT[c.m]),
              text: cells.map((c) => `${(100 * c.acc!).toFixed(1)}%`),
              textfont: {
                size: 11,
                color: cells.map((c) => (c.bias! > 0.5 * Math.max(...cells.map((d) => d.bias!)) ? '#fff' : '#111')),
              },
              customdata: cells.map((c) => 100 * c.bias!),
              hovertemplate: 'λ=%{x} · %{y}<br>mean |disp.| %{customdata:.1f}<br>top-1 %{text}<extra></extra>',
              marker: {
                symbol: 'square',
                size: 46,
                color: cells.map((c) => 100 * c.bias!),
                colorscale: 'YlOrRd',
                reversescale: true,
                showscale: true,
                colorbar: { title: { text: 'mean |disp.| ×100' } },
                line: { color: '#fff', width: 1 },
              },
            },
          ],
          {
            height: 300,
            margin: { l: 80, r: 10, t: 10, b: 40 },
            ...TRANSPARENT,
            xaxis: {
              title: { text: 'λ' },
              type: 'category',
              categoryorder: 'array',
              categoryarray: grid.lambdas.map(String),
            },
            yaxis: {
              type: 'category',
              categoryorder: 'array',
              categoryarray: grid.methods.map((m) => METHOD_SHORT[m]),
            },
          },
          PLOT_CONFIG,
        );
        return;
      }
      const Plotly = await loadPlotly3d();
      if (!live) return;
      const traces: unknown[] = [];
      if (grid.methods.length > 1 && grid.lambdas.length > 1) {
        traces.push({
          type: 'surface',
          x: grid.lambdas,
          y: grid.methods.map((_, i) => i),
          z: grid.accuracy.map((row) => row.map(pct)),
          surfacecolor: grid.bias.map((row) => row.map(pct)),
          colorscale: 'YlOrRd',
          reversescale: true,
          opacity: 0.85,
          colorbar: { title: { text: 'mean |disp.| ×100' } },
          hovertemplate: 'λ=%{x}<br>top-1 %{z:.1f}%<br>mean |disp.| %{surfacecolor:.1f}<extra></extra>',
        });
      }
      traces.push({
        type: 'scatter3d',
        mode: grid.methods.length > 1 ? 'markers' : 'lines+markers',
        name: 'runs',
        x: points.map((p) => p.lambda),
        y: points.map((p) => methodIndex(p.method)),
        z: points.map((p) => 100 * p.accuracy),
        text: points.map(
          (p) =>
            `${p.label}<br>top-1 ${(100 * p.accuracy).toFixed(1)}% · mean |disp.| ${p.bias === null ? 'not measurable' : (100 * p.bias).toFixed(1)}${p.pareto ? '<br>Pareto-optimal (chosen on validation)' : ''}`,
        ),
        hoverinfo: 'text',
        marker: {
          size: points.map((p) => (p === selected ? 9 : 5)),
          color: points.map((p) => (p.bias === null ? NaN : 100 * p.bias)),
          colorscale: 'YlOrRd',
          reversescale: true,
          symbol: points.map((p) => (p.pareto ? 'diamond' : 'circle')),
          line: { color: '#0f172a', width: 1 },
        },
      });
      await Plotly.react(
        node,
        traces,
        {
          height: 380,
          margin: { l: 0, r: 0, t: 0, b: 0 },
          showlegend: false,
          scene: {
            xaxis: { title: { text: 'λ' } },
            yaxis: { title: { text: 'method' }, ...ticks },
            zaxis: { title: { text: 'top-1 %' } },
          },
          ...TRANSPARENT,
        },
        PLOT_CONFIG,
      );
    };
    draw().then(
      () => setError(null),
      (e) => {
        if (live) {
          setError(`3D view failed (${(e as Error).message}); showing the 2D view.`);
          setFlat(true);
        }
      },
    );
    return () => {
      live = false;
    };
  }, [grid, points, flat, view]);

  useEffect(() => {
    const node = pareto.current;
    if (!node || points.length === 0) return;
    let live = true;
    void loadPlotly().then((Plotly) => {
      if (!live) return;
      const front = points.filter((p) => p.pareto).sort((a, b) => excessOf(a) - excessOf(b));
      const selected = points.find((p) => view && p.method === view.method && p.lambda === view.lambda);
      void Plotly.react(
        node,
        [
          {
            type: 'scatter',
            mode: 'markers',
            name: 'runs',
            x: points.map(excessOf),
            y: points.map((p) => 100 * p.accuracy),
            text: points.map((p) => p.label),
            hovertemplate: '%{text}<br>excess mean |disp.| %{x:.1f} · top-1 %{y:.1f}% (test)<extra></extra>',
            marker: {
              size: 9,
              color: points.map((p) => (p.pareto ? '#16a34a' : '#94a3b8')),
              symbol: points.map((p) => (p.pareto ? 'diamond' : 'circle')),
            },
          },
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
          height: 300,
          margin: { l: 55, r: 10, t: 10, b: 45 },
          xaxis: { title: { text: 'excess mean |disparity| ×100 over the noise floor (test; lower is fairer)' } },
          yaxis: { title: { text: 'top-1 %' } },
          legend: { orientation: 'h', y: -0.3 },
          ...TRANSPARENT,
        },
        PLOT_CONFIG,
      );
    });
    return () => {
      live = false;
    };
  }, [points, view]);

  if (!result || points.length === 0 || !grid) return null;
  const front = points.filter((p) => p.pareto);
  return (
    <section className="card" data-testid="surface-panel" data-mode={flat ? '2d' : '3d'}>
      <div className="card-head">
        <h2>λ × method: accuracy and bias</h2>
        <div className="toggles">
          <label title={webgl ? '' : 'This browser has no WebGL: only the 2D view is available'}>
            <input
              type="checkbox"
              checked={flat}
              disabled={!webgl}
              onChange={(e) => setFlat(e.target.checked)}
              data-testid="surface-2d"
            />{' '}
            2D view
          </label>
        </div>
      </div>
      {error && (
        <p className="muted" role="status">
          {error}
        </p>
      )}
      <div className="charts-2">
        <div
          key={flat ? '2d' : '3d'}
          ref={main}
          className="chart"
          data-testid={flat ? 'surface-heatmap' : 'surface-3d'}
        />
        <div ref={pareto} className="chart" data-testid="pareto-chart" />
      </div>
      <p className="muted" data-testid="pareto-list">
        Pareto-optimal on {basis} (no run is both more accurate and less biased there; shown with its test figures):{' '}
        {front.map((p) => p.label).join(', ')}.
      </p>
    </section>
  );
}
