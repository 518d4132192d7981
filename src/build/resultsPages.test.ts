import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatValue, renderPages } from './resultsPages';

/**
 * The results pages are the JSON files' own: every committed page is what `npm run docs` renders now (a
 * page edited by hand, or a JSON changed without rendering again, fails here), every JSON has its page,
 * and a figure changed in a JSON shows in its page.
 */
const DIR = 'docs/results';

describe('results pages', () => {
  const pages = renderPages(DIR);

  it('each committed page is what npm run docs renders now', () => {
    for (const [file, text] of pages) {
      expect(existsSync(join(DIR, file)), `${file}: run npm run docs`).toBe(true);
      expect(readFileSync(join(DIR, file), 'utf8'), `${file} differs from its JSON: run npm run docs`).toBe(text);
    }
    const jsons = readdirSync(DIR).filter((f) => f.endsWith('.json'));
    expect(pages.size).toBe(jsons.length + 1); // and the index
  });

  it('the lab page holds the runner’s table and the lab story, read from the files', () => {
    const lab = JSON.parse(readFileSync(join(DIR, 'lab.json'), 'utf8')) as {
      summary: { label: string; excessMeanAbsDisparity: { mean: number } }[];
      provenance: { commits: string[] };
    };
    const page = pages.get('lab.md')!;
    const teacher = lab.summary.find((r) => r.label === 'Teacher')!;
    expect(page).toMatch(
      new RegExp(`\\| Teacher +\\| \\d+ +\\|.*\\| ${(100 * teacher.excessMeanAbsDisparity.mean).toFixed(2)} \\[`),
    );
    expect(page).toContain(`from commit ${lab.provenance.commits[0]}`);
    expect(page).toContain('The study’s three questions');
  });

  it('a figure changed in a JSON changes its page', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fd-pages-'));
    const json = JSON.parse(readFileSync(join(DIR, 'bench-2026-12-02.json'), 'utf8')) as {
      rows: { [k: string]: unknown }[];
    };
    writeFileSync(join(dir, 'x.json'), JSON.stringify(json));
    const before = renderPages(dir).get('x.md')!;
    const key = Object.keys(json.rows[0]).find((k) => typeof json.rows[0][k] === 'number')!;
    json.rows[0][key] = 123456.5;
    writeFileSync(join(dir, 'x.json'), JSON.stringify(json));
    const after = renderPages(dir).get('x.md')!;
    expect(after).not.toBe(before);
    expect(after).toContain('| 123500 |'); // to 4 significant digits
  });

  it('numbers read as a measurement file holds them', () => {
    expect([
      formatValue(3),
      formatValue(0.123456),
      formatValue(1234.56),
      formatValue(null),
      formatValue('a|b\nc'),
    ]).toEqual(['3', '0.1235', '1235', '—', 'a\\|b c']);
  });
});
