import { useEffect, useMemo, useRef, useState } from 'react';
import {
  paramSurfaces,
  paretoBasis,
  runPoints,
  surfaceGrid,
  type ParamSurface,
  type RunPoint,
  surfaceDrawn,
} from '../analysis/compare';
import { useLab } from '../store/labStore';
import { ParetoChart } from './ParetoChart';
import { hasWebGL, loadPlotly, loadPlotly3d, PLOT_CONFIG, TRANSPARENT } from './plotly';

/**
 * λ × method against accuracy (height) and mean |disparity| (colour): in 3D one line per method over
 * λ (methods are categories: nothing is drawn between them), or — where the run swept one method's
 * hyper-parameter — a true surface over λ × that parameter (interpolated only between numeric values,
 * the runs marked on it); without WebGL, or when asked, a heatmap of the grid (bias as colour, top-1
 * written in each cell). The Pareto scatter of accuracy vs bias is always shown; Pareto-optimal runs
 * are marked in both.
 */

export function SurfacePanel() {
  const result = useLab((s) => s.result);
  const view = useLab((s) => s.view);
  const webgl = useMemo(() => hasWebGL(), []);
  const [flat, setFlat] = useState(!webgl);
  // The gl3d bundle's evaluation and first WebGL draw are one long main-thread task (seconds on a
  // software GPU), so the 3D view is drawn once the panel comes into view, not as the results appear.
  const [seen, setSeen] = useState(() => typeof IntersectionObserver === 'undefined');
  const section = useRef<HTMLElement>(null);
  const mode = flat ? '2d' : seen ? '3d' : 'pending';
  const main = useRef<HTMLDivElement>(null);
  const grid = useMemo(() => (result ? surfaceGrid(result) : null), [result]);
  const points = useMemo(() => (result ? runPoints(result) : []), [result]);
  const surfaces = useMemo(() => (result ? paramSurfaces(result) : []), [result]);
  const surface = surfaces[0] as ParamSurface | undefined;
  const basis =
    result && paretoBasis(result) === 'validation' ? 'validation' : 'test (this run has no validation figures)';
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const node = section.current;
    if (seen || !node) return;
    const watch = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) setSeen(true);
    });
    watch.observe(node);
    return () => watch.disconnect();
  }, [seen, result]);

  useEffect(() => {
    const node = main.current;
    if (!node || !grid || points.length === 0 || mode === 'pending') return;
    let live = true;
    const lineIndex = (m: string) => grid.series.indexOf(m);
    const selected = points.find((p) => view && p.series === view.series && p.lambda === view.lambda);
    const ticks = { tickvals: grid.series.map((_, i) => i), ticktext: grid.series };
    const draw = async () => {
      if (flat) {
        const Plotly = await loadPlotly();
        if (!live) return;
        // A heatmap drawn with square markers: plotly's basic bundle has no heatmap trace.
        const cells = grid.series
          .flatMap((m, i) => grid.lambdas.map((l, j) => ({ m, l, bias: grid.bias[i][j], acc: grid.accuracy[i][j] })))
          .filter((c) => c.bias !== null);
        const [lo, hi] = [Math.min(...cells.map((d) => d.bias!)), Math.max(...cells.map((d) => d.bias!))];
        await Plotly.react(
          node,
          [
            {
              type: 'scatter',
              mode: 'markers+text',
              x: cells.map((c) => String(c.l)),
              y: cells.map((c) => c.m),
              text: cells.map((c) => `${(100 * c.acc!).toFixed(1)}%`),
              // White text only on the dark (red) end of the scale, dark text on yellow and orange.
              textfont: {
                size: 12,
                color: cells.map((c) => (hi > lo && (c.bias! - lo) / (hi - lo) > 0.65 ? '#fff' : '#111')),
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
            height: Math.max(300, 60 + 50 * grid.series.length),
            margin: { l: 110, r: 10, t: 10, b: 40 },
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
              categoryarray: grid.series,
            },
          },
          PLOT_CONFIG,
        );
        return;
      }
      const Plotly = await loadPlotly3d();
      if (!live) return;
      const biases = points.map((p) => p.bias).filter((b): b is number => b !== null);
      const [cmin, cmax] = [100 * Math.min(...biases), 100 * Math.max(...biases)];
      // The camera stands back far enough that no axis title is clipped ("me…").
      const scene = (x: unknown, y: unknown) => ({
        xaxis: x,
        yaxis: y,
        zaxis: { title: { text: 'top-1 %' } },
        camera: { eye: { x: 1.75, y: -1.75, z: 1.05 } },
        aspectmode: 'cube',
      });
      if (surface) {
        await Plotly.react(
          node,
          surfaceTraces(surface, selected, cmin, cmax),
          {
            height: 420,
            margin: { l: 10, r: 10, t: 10, b: 10 },
            showlegend: false,
            scene: scene(
              { title: { text: 'λ' }, tickvals: surface.lambdas, ticktext: surface.lambdas.map(String) },
              { title: { text: surface.axis }, tickvals: surface.values, ticktext: surface.values.map(String) },
            ),
            ...TRANSPARENT,
          },
          PLOT_CONFIG,
        );
        return;
      }
      // One line per series over λ — series are categories, so nothing is interpolated between them.
      const traces: unknown[] = grid.series.map((m) => {
        const own = points.filter((p) => p.series === m).sort((a, b) => a.lambda - b.lambda);
        return {
          type: 'scatter3d',
          mode: own.length > 1 ? 'lines+markers' : 'markers',
          name: m,
          x: own.map((p) => p.lambda),
          y: own.map(() => lineIndex(m)),
          z: own.map((p) => 100 * p.accuracy),
          text: own.map(pointText),
          hoverinfo: 'text',
          line: { color: '#94a3b8', width: 4 },
          marker: {
            size: own.map((p) => (p === selected ? 9 : 5)),
            color: own.map((p) => (p.bias === null ? NaN : 100 * p.bias)),
            cmin,
            cmax,
            colorscale: 'YlOrRd',
            reversescale: true,
            showscale: m === grid.series[0],
            colorbar: { title: { text: 'mean |disp.| ×100' } },
            symbol: own.map((p) => (p.pareto ? 'diamond' : 'circle')),
            line: { color: '#0f172a', width: 1 },
          },
        };
      });
      await Plotly.react(
        node,
        traces,
        {
          height: 420,
          margin: { l: 10, r: 10, t: 10, b: 10 },
          showlegend: false,
          scene: scene(
            { title: { text: 'λ' }, tickvals: grid.lambdas, ticktext: grid.lambdas.map(String) },
            { title: { text: 'method' }, ...ticks, range: [-0.5, grid.series.length - 0.5] },
          ),
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
  }, [grid, points, surface, flat, view, mode]);

  if (!result || points.length === 0 || !grid) return null;
  const front = points.filter((p) => p.pareto);
  return (
    <section className="card" data-testid="surface-panel" data-mode={mode} ref={section}>
      <div className="card-head">
        <h2>{surface ? `λ × ${surface.axis}: accuracy and bias` : 'λ × method: accuracy and bias'}</h2>
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
        <div key={mode} ref={main} className="chart" data-testid={flat ? 'surface-heatmap' : 'surface-3d'}>
          {mode === 'pending' && <p className="muted">The 3D view is drawn as this panel comes into view.</p>}
        </div>
        <ParetoChart points={points} />
      </div>
      <p className="muted" data-testid="pareto-list">
        Pareto-optimal on {basis} (no run is both more accurate and less biased there; shown with its test figures):{' '}
        {front.map((p) => p.label).join(', ')}.
      </p>
    </section>
  );
}

const pointText = (p: RunPoint) =>
  `${p.label}<br>top-1 ${(100 * p.accuracy).toFixed(1)}% · mean |disp.| ${p.bias === null ? 'not measurable' : (100 * p.bias).toFixed(1)}${p.pareto ? '<br>Pareto-optimal (chosen on validation)' : ''}`;

/**
 * The surface over λ × the swept parameter: height top-1, colour mean |disparity|, interpolated by
 * WebGL only between the numeric grid values; every run is a marker on it, the slider's one larger.
 */
function surfaceTraces(surface: ParamSurface, selected: RunPoint | undefined, cmin: number, cmax: number): unknown[] {
  const pct = (grid: (number | null)[][]) => grid.map((row) => row.map((v) => (v === null ? null : 100 * v)));
  const runs = surface.values.flatMap((v, i) =>
    surface.lambdas.flatMap((l, j) =>
      surface.labels[i][j] === null ? [] : [{ v, l, i, j, label: surface.labels[i][j]! }],
    ),
  );
  const colour = { cmin, cmax, colorscale: 'YlOrRd', reversescale: true };
  // Sparse grids: each setting's runs joined along λ, nothing drawn between settings.
  const lines = surface.values.map((v, i) => {
    const at = surface.lambdas.flatMap((l, j) =>
      surface.accuracy[i][j] === null ? [] : [{ l, a: surface.accuracy[i][j]! }],
    );
    return {
      type: 'scatter3d',
      mode: 'lines',
      x: at.map((p) => p.l),
      y: at.map(() => v),
      z: at.map((p) => 100 * p.a),
      line: { color: '#94a3b8', width: 4 },
      hoverinfo: 'skip',
    };
  });
  return [
    ...(surfaceDrawn(surface) ? [] : lines),
    {
      type: 'surface',
      visible: surfaceDrawn(surface),
      x: surface.lambdas,
      y: surface.values,
      z: pct(surface.accuracy),
      surfacecolor: pct(surface.bias),
      ...colour,
      opacity: 0.85,
      colorbar: { title: { text: 'mean |disp.| ×100' } },
      hoverinfo: 'skip',
    },
    {
      type: 'scatter3d',
      mode: 'markers',
      x: runs.map((r) => r.l),
      y: runs.map((r) => r.v),
      z: runs.map((r) => 100 * surface.accuracy[r.i][r.j]!),
      text: runs.map(
        (r) =>
          `${r.label}<br>top-1 ${(100 * surface.accuracy[r.i][r.j]!).toFixed(1)}% · mean |disp.| ${surface.bias[r.i][r.j] === null ? 'not measurable' : (100 * surface.bias[r.i][r.j]!).toFixed(1)}`,
      ),
      hoverinfo: 'text',
      marker: {
        size: runs.map((r) => (selected?.label === r.label ? 9 : 5)),
        color: runs.map((r) => (surface.bias[r.i][r.j] === null ? NaN : 100 * surface.bias[r.i][r.j]!)),
        ...colour,
        // Without the surface its colour bar goes with the runs.
        showscale: !surfaceDrawn(surface),
        colorbar: { title: { text: 'mean |disp.| ×100' } },
        line: { color: '#0f172a', width: 1 },
      },
    },
  ];
}
