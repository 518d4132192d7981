/** Plotly is loaded on demand: the basic bundle (lines, bars) now, the 3D one only when asked for. */

export interface PlotlyLike {
  react(
    el: HTMLElement,
    data: unknown[],
    layout: Record<string, unknown>,
    config?: Record<string, unknown>,
  ): Promise<unknown>;
  purge(el: HTMLElement): void;
  /** The chart as an image data URL (the HTML report embeds it). */
  toImage(el: HTMLElement, opts: { format: 'svg' | 'png'; width: number; height: number }): Promise<string>;
}

let basic: Promise<PlotlyLike> | null = null;

/** A chart's paper and plot without a background of their own: the card's shows through. */
export const TRANSPARENT = { paper_bgcolor: 'rgba(0,0,0,0)', plot_bgcolor: 'rgba(0,0,0,0)' };

/**
 * Plotly as the lab uses it: after each draw the toolbar's buttons leave the tab order (each chart
 * would add eight stops before the next control); they stay one mouse move away.
 */
function untabbed(p: PlotlyLike): PlotlyLike {
  return {
    react: async (el, data, layout, config) => {
      const done = await p.react(el, data, layout, config);
      el.querySelectorAll('.modebar-btn').forEach((b) => b.setAttribute('tabindex', '-1'));
      return done;
    },
    purge: (el) => p.purge(el),
    toImage: (el, opts) => p.toImage(el, opts),
  };
}

export function loadPlotly(): Promise<PlotlyLike> {
  // A CommonJS bundle's default export may arrive as the module itself (Vite 8).
  basic ??= import('plotly.js-basic-dist-min').then((m) => untabbed((m.default ?? m) as PlotlyLike));
  return basic;
}

/**
 * No cloud: plotly.js 4 shows "Share chart…" (an upload to Plotly Cloud) by default, which the lab
 * neither wants nor can do (the CSP's form-action 'none' blocks it after it is offered).
 */
export const PLOT_CONFIG = {
  displaylogo: false,
  responsive: true,
  showSendToCloud: false,
  showEditInChartStudio: false,
  showLink: false,
  plotlyServerURL: '',
  modeBarButtonsToRemove: ['lasso2d', 'select2d', 'sendChartToCloud'],
};

let gl3d: Promise<PlotlyLike> | null = null;

/** The gl3d bundle (surface, scatter3d): ~1 MB more, so only fetched when a 3D chart is shown. */
export function loadPlotly3d(): Promise<PlotlyLike> {
  gl3d ??= import('plotly.js-gl3d-dist-min').then((m) => untabbed((m.default ?? m) as PlotlyLike));
  return gl3d;
}

/** Whether this browser can draw WebGL (plotly's 3D needs it). */
export function hasWebGL(): boolean {
  try {
    const canvas = document.createElement('canvas');
    return !!(canvas.getContext('webgl2') ?? canvas.getContext('webgl'));
  } catch {
    return false;
  }
}

/** The teacher's colour in every chart: apart from the students' palette, so no student shares it. */
export const TEACHER_COLOR = '#0f172a';
/** Twelve distinguishable colours (Tableau 10 and two more) for the students, none of them the teacher's. */
const STUDENT_COLORS = [
  '#1f77b4',
  '#ff7f0e',
  '#2ca02c',
  '#d62728',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#7f7f7f',
  '#bcbd22',
  '#17becf',
  '#b45309',
  '#4d7c0f',
];
/** A student's line: its colour, and past twelve students a dash pattern, so no two lines look alike. */
export function studentLine(i: number): { color: string; dash: string } {
  const dashes = ['solid', 'dash', 'dot', 'dashdot'];
  return {
    color: STUDENT_COLORS[i % STUDENT_COLORS.length],
    dash: dashes[Math.floor(i / STUDENT_COLORS.length) % dashes.length],
  };
}
