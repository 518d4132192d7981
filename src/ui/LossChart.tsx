import { objectiveOf } from '../analysis/objective';
import { useEffect, useRef, useState } from 'react';
import { useLab } from '../store/labStore';
import { loadPlotly, PLOT_CONFIG } from './plotly';

const REDRAW_MS = 500; // throttled so streaming curves never slow training down

/** One colour per model (run), dash per loss term: 20 lines stay tellable apart (Plotly repeats 10 colours). */
const RUN_COLORS = [
  '#0f172a',
  '#f97316',
  '#0ea5e9',
  '#a855f7',
  '#16a34a',
  '#e11d48',
  '#ca8a04',
  '#0d9488',
  '#7c3aed',
  '#db2777',
  '#65a30d',
  '#2563eb',
  '#9a3412',
  '#475569',
  '#be123c',
  '#15803d',
];
const DASHES = ['solid', 'dash', 'dashdot', 'longdash', 'longdashdot', 'dot'];
/** Terms on the right-hand axis: the adversary's (on another scale than CE), the temperature and λ. */
const onRightAxis = (term: string) => term === 'temperature' || term === 'λ' || /^adv/i.test(term);

/** The plot's own height, the step axis with its title below it, and a legend row (px). */
const PLOT_PX = 250;
const AXIS_PX = 60;
const ROW_PX = 20;

/** Exponential moving average, the usual smoothing of training curves. */
function smooth(values: number[], weight: number): number[] {
  let last = values[0] ?? 0;
  return values.map((v) => (last = weight * last + (1 - weight) * v));
}

export function LossChart() {
  const el = useRef<HTMLDivElement>(null);
  const [smoothing, setSmoothing] = useState(false);
  const [logScale, setLogScale] = useState(false);
  // 'main' = one line per run (the objective: its total, or CE, less λ·adversary); else 'all' or one term.
  const [termFilter, setTermFilter] = useState('main');
  const [termNames, setTermNames] = useState<string[]>([]);
  const [empty, setEmpty] = useState(true);
  const version = useLab((s) => s.lossVersion);
  const pending = useRef<number | null>(null);
  const lastDraw = useRef(0);
  useEffect(() => {
    const draw = async () => {
      pending.current = null;
      lastDraw.current = performance.now();
      const node = el.current;
      if (!node) return;
      const Plotly = await loadPlotly();
      const losses = useLab.getState().losses;
      const traces: unknown[] = [];
      const seen = new Set<string>();
      const runs = Object.entries(losses);
      const termIndex = new Map<string, number>();
      // λ = 0 first, wide and pale: a λ > 0 run that matches it until the adversary starts is drawn on top.
      const order = runs
        .map((r, i) => ({ r, i }))
        .sort((a, b) => Number(!/λ=0$/.test(a.r[0])) - Number(!/λ=0$/.test(b.r[0])));
      for (const {
        r: [run, points],
        i: runIndex,
      } of order) {
        const base = /λ=0$/.test(run);
        const names = new Set<string>();
        points.forEach((p) => Object.keys(p.terms).forEach((k) => names.add(k)));
        names.forEach((n) => seen.add(n));
        // One line per run: the objective its student descends (task − λ·adversary), so λ values part.
        const series = termFilter === 'main' ? ['objective'] : [...names];
        for (const term of series) {
          if (termFilter !== 'main' && termFilter !== 'all' && term !== termFilter) continue;
          const valueOf = (p: (typeof points)[number]) => (term === 'objective' ? objectiveOf(p.terms) : p.terms[term]);
          const pts = points.filter((p) => valueOf(p) !== undefined);
          const ys = pts.map((p) => valueOf(p)!);
          const secondary = onRightAxis(term);
          if (!termIndex.has(term)) termIndex.set(term, termIndex.size);
          traces.push({
            x: pts.map((p) => p.step),
            y: smoothing ? smooth(ys, 0.8) : ys,
            name: `${run} · ${term}`,
            type: 'scatter',
            mode: 'lines',
            opacity: base ? 0.55 : 1,
            line: {
              width: base ? 4 : 1.5,
              color: RUN_COLORS[runIndex % RUN_COLORS.length],
              dash: DASHES[termIndex.get(term)! % DASHES.length],
            },
            yaxis: secondary ? 'y2' : 'y',
          });
        }
      }
      setTermNames((prev) => (prev.length === seen.size ? prev : [...seen].sort()));
      setEmpty(traces.length === 0);
      // Before the first step there is nothing to draw: no empty axes running from −1 to 6.
      if (!traces.length) return;
      const legendRows = Math.ceil(traces.length / 3);
      await Plotly.react(
        node,
        traces,
        {
          // The legend gets rows of its own below the step axis (three entries a row), so twenty
          // entries lengthen the chart instead of squeezing the plot or covering the axis title.
          margin: { l: 50, r: 50, t: 10, b: AXIS_PX + ROW_PX * legendRows },
          height: PLOT_PX + AXIS_PX + ROW_PX * legendRows,
          xaxis: { title: { text: 'step' } },
          yaxis: { title: { text: 'loss' }, type: logScale ? 'log' : 'linear' },
          yaxis2: {
            title: { text: 'adversary / T / λ' },
            overlaying: 'y',
            side: 'right',
            showgrid: false,
            rangemode: 'tozero',
            // Ticks of its own at round values (0, 5, 10), not the left axis's grid carried over (1.97, 3.93).
            tickmode: 'auto',
            nticks: 6,
            tickformat: '.2~f',
          },
          legend: {
            orientation: 'h',
            yanchor: 'top',
            y: -AXIS_PX / PLOT_PX, // just below the step axis and its title, in plot-height units
            entrywidth: 0.33,
            entrywidthmode: 'fraction',
          },
          paper_bgcolor: 'rgba(0,0,0,0)',
          plot_bgcolor: 'rgba(0,0,0,0)',
        },
        PLOT_CONFIG,
      );
    };
    // A draw already scheduled gives way to this one, due at the same time (the throttle counts from the
    // last draw): it would draw the lines, smoothing and scale chosen before, and a choice made while it
    // waited would stay undrawn until the next training step.
    if (pending.current !== null) clearTimeout(pending.current);
    const wait = Math.max(0, REDRAW_MS - (performance.now() - lastDraw.current));
    pending.current = window.setTimeout(() => void draw(), wait);
  }, [version, smoothing, logScale, termFilter]);

  useEffect(
    () => () => {
      // Reset the flag too: StrictMode unmounts and mounts again with the same refs, and a flag left
      // set would keep every later redraw from being scheduled (the chart stayed blank under npm start).
      if (pending.current !== null) clearTimeout(pending.current);
      pending.current = null;
    },
    [],
  );

  return (
    <section className="card">
      <div className="card-head">
        <h2>Live loss</h2>
        <div className="toggles">
          <label>
            Lines{' '}
            <select value={termFilter} onChange={(e) => setTermFilter(e.target.value)} data-testid="loss-terms">
              <option value="main">one per run (task − λ·adversary)</option>
              <option value="all">every loss term</option>
              {termNames.map((t) => (
                <option key={t} value={t}>
                  {t} only
                </option>
              ))}
            </select>
          </label>
          <label>
            <input type="checkbox" checked={smoothing} onChange={(e) => setSmoothing(e.target.checked)} /> Smoothed
          </label>
          <label>
            <input type="checkbox" checked={logScale} onChange={(e) => setLogScale(e.target.checked)} /> Log scale
          </label>
        </div>
      </div>
      {empty && (
        <p className="muted" data-testid="loss-empty">
          The loss of every model appears here, step by step, once training starts.
        </p>
      )}
      <div ref={el} className="chart" data-testid="loss-chart" />
    </section>
  );
}
