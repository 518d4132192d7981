import type { StoredRun } from '../engine/types';

/**
 * Stored runs as a collection: found by what they are (their name, notes and tags, preset, dataset,
 * methods, seed) and ordered by when they ran, their name or their teacher's accuracy.
 */

export type RunOrder = 'newest' | 'oldest' | 'name' | 'teacher-accuracy';

/** The text a run is found by: its own words and what it is. */
function searchable(r: StoredRun): string {
  const c = r.result?.config;
  return [
    r.name,
    r.notes ?? '',
    ...(r.tags ?? []).map((t) => `#${t}`),
    c?.name ?? '',
    c?.dataset && 'name' in c.dataset ? String(c.dataset.name) : '',
    ...(c?.methods ?? []).map((m) => m.id),
    ...(r.result?.students ?? []).map((s) => s.label),
    c ? `seed ${c.seed}\n` : '', // "seed 1" ends here, so it is not found in "seed 12"
    r.result?.backend?.name ?? '',
  ]
    .join('\n')
    .toLowerCase();
}

/**
 * A query's terms: "quoted phrases" whole, "seed 3" as one term (a run's seed, not a 3 anywhere), the
 * other words one by one; all lower-case.
 */
export function queryTerms(query: string): string[] {
  const terms: string[] = [];
  const rest = query
    .toLowerCase()
    .replace(/"([^"]*)"/g, (_, phrase: string) => (terms.push(phrase.trim()), ' '))
    .replace(/\bseed\s+(\d+)\b/g, (_, n: string) => (terms.push(`seed ${n}\n`), ' '));
  return [...terms, ...rest.split(/\s+/)].filter(Boolean);
}

/**
 * The runs a query finds — every word of it somewhere in the run (a word "#pilot" only among its
 * tags) — in the order asked for. The list comes newest first.
 */
export function findRuns(runs: StoredRun[], query: string, order: RunOrder = 'newest'): StoredRun[] {
  const words = queryTerms(query);
  const found = runs.filter((r) => {
    const text = searchable(r);
    return words.every((w) => text.includes(w));
  });
  const time = (r: StoredRun) => r.createdAt ?? '';
  const sorted = [...found];
  if (order === 'newest') sorted.sort((a, b) => time(b).localeCompare(time(a)));
  if (order === 'oldest') sorted.sort((a, b) => time(a).localeCompare(time(b)));
  if (order === 'name') sorted.sort((a, b) => a.name.localeCompare(b.name));
  if (order === 'teacher-accuracy')
    sorted.sort((a, b) => (b.result?.teacher?.test?.accuracy ?? -1) - (a.result?.teacher?.test?.accuracy ?? -1));
  return sorted;
}

/** Tags typed as a comma-separated list. */
export function parseTags(text: string): string[] {
  return text
    .split(',')
    .map((t) => t.trim().replace(/^#/, ''))
    .filter(Boolean);
}
