/** Plotly is loaded on demand: the basic bundle (lines, bars) now, the 3D one only when asked for. */

export interface PlotlyLike {
  react(el: HTMLElement, data: unknown[], layout: Record<string, unknown>, config?: Record<string, unknown>): Promise<unknown>;
  purge(el: HTMLElement): void;
}

let basic: Promise<PlotlyLike> | null = null;

export function loadPlotly(): Promise<PlotlyLike> {
  // A CommonJS bundle's default export may arrive as the module itself (Vite 8).
  basic ??= import('plotly.js-basic-dist-min').then((m) => (m.default ?? m) as PlotlyLike);
  return basic;
}

export const PLOT_CONFIG = { displaylogo: false, responsive: true, modeBarButtonsToRemove: ['lasso2d', 'select2d'] };
