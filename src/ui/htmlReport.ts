import { loadPlotly, loadPlotly3d } from './plotly';

/**
 * A run as one self-contained HTML file, from what the page shows: the takeaway, the results table
 * with every column, the per-class disparities, the setup with the command that trains it again, and
 * each chart drawn on the page as an image inside the file (SVG; PNG for the 3D view). No script, no
 * font, nothing fetched: a Content-Security-Policy of default-src 'none' lets only its own images and
 * styles in, so it opens the same offline, from a mail or from file://.
 */

const STYLE = `
body { font: 14px/1.45 system-ui, sans-serif; color: #0f172a; margin: 0; background: #f8fafc; }
main { max-width: 1200px; margin: 0 auto; padding: 24px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 28px 0 8px; }
/* tabindex on each section: it scrolls sideways where a table is wide, and a keyboard can scroll it */
section { background: #fff; border: 1px solid #e2e8f0; border-radius: 8px; padding: 12px 16px; margin: 12px 0; overflow-x: auto; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { padding: 4px 8px; border-bottom: 1px solid #e2e8f0; text-align: right; vertical-align: top; }
th[scope='row'], thead th:first-child, caption { text-align: left; }
thead th { font-size: 12px; color: #334155; }
.ci { display: block; font-size: 0.8em; color: #475569; }
.role { font-size: 10px; text-transform: uppercase; padding: 1px 5px; border-radius: 4px; background: #e7ecff; margin-right: 4px; }
.takeaway { border-left: 3px solid #f97316; padding: 6px 10px; background: #fff7ed; }
.muted, .footnote { color: #475569; }
figure { margin: 12px 0; } figure img { max-width: 100%; border: 1px solid #e2e8f0; }
code { background: #f1f5f9; padding: 2px 4px; border-radius: 4px; word-break: break-all; }
.worse { color: #b91c1c; } .better { color: #15803d; }
`;

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** A copy of part of the page, without its controls and their focus stops. */
function copyOf(el: Element | null): string {
  if (!el) return '';
  const c = el.cloneNode(true) as Element;
  c.querySelectorAll('button, input, select, label.toggles, .modebar-container, script').forEach((x) => x.remove());
  for (const x of [c, ...c.querySelectorAll('*')]) {
    x.removeAttribute('tabindex');
    x.removeAttribute('style');
    if (x.getAttribute('role') === 'region') x.removeAttribute('role');
  }
  return c.outerHTML;
}

/** Each chart on the page as [title, image data URL]: SVG, or PNG where it is drawn with WebGL (3D). */
async function chartImages(doc: Document): Promise<[string, string][]> {
  const out: [string, string][] = [];
  for (const el of doc.querySelectorAll<HTMLElement>('.js-plotly-plot')) {
    const card = el.closest('section');
    const title = card?.querySelector('h2')?.textContent?.trim() ?? 'Chart';
    const gl = !!el.querySelector('.gl-container canvas');
    const Plotly = await (gl ? loadPlotly3d() : loadPlotly());
    const box = el.getBoundingClientRect();
    try {
      out.push([
        `${title}${el.dataset.testid ? ` (${el.dataset.testid.replace(/-/g, ' ')})` : ''}`,
        await Plotly.toImage(el, {
          format: gl ? 'png' : 'svg',
          width: Math.max(320, Math.round(box.width)),
          height: Math.max(240, Math.round(box.height)),
        }),
      ]);
    } catch {
      // A chart that cannot be drawn to an image (torn down meanwhile) is left out, not the report.
    }
  }
  return out;
}

export async function htmlReport(doc: Document, name: string): Promise<string> {
  const results = doc.querySelector('[data-testid="results-table"]');
  // Every column in the report, whatever the page's table shows.
  const table = results?.cloneNode(true) as Element | undefined;
  table?.classList.remove('compact');
  const card = results?.closest('section');
  const charts = await chartImages(doc);
  const command = doc.querySelector('[data-testid="run-command"]')?.textContent ?? '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(`FairDistill Lab report — ${name}`)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<h1>${esc(name)}</h1>
<p class="muted">A FairDistill Lab report, made ${esc(new Date().toISOString().slice(0, 16).replace('T', ' '))} UTC from the page; figures as the lab computed them.</p>
<section aria-labelledby="results" tabindex="0">
<h2 id="results">Results on the test split</h2>
${copyOf(card?.querySelector('[data-testid="takeaway"]') ?? null)}
${table ? copyOf(table) : '<p>No results table.</p>'}
${copyOf(card?.querySelector('.footnote') ?? null)}
</section>
<section aria-labelledby="disparity" tabindex="0">
<h2 id="disparity">Per-class disparity</h2>
${copyOf(doc.querySelector('[data-testid="disparity-values"]'))}
</section>
<section aria-labelledby="charts" tabindex="0">
<h2 id="charts">Charts</h2>
${charts.map(([title, src]) => `<figure><img alt="${esc(title)}" src="${src}"><figcaption>${esc(title)}</figcaption></figure>`).join('\n') || '<p>No chart was drawn on the page.</p>'}
</section>
<section aria-labelledby="setup" tabindex="0">
<h2 id="setup">Setup</h2>
${copyOf(doc.querySelector('[data-testid="run-config-table"]'))}
${command ? `<p>Trains it again from a checkout: <code>${esc(command)}</code></p>` : ''}
</section>
</main>
</body>
</html>
`;
}
