import { applyOptions, OPTIONS, setupQuery, type Setup } from '../engine/options';

/**
 * The URL can force a backend and shape the first experiment, for tests and for sharing a setup:
 * ?backend=cpu&threads=2&preset=tiny&methods=kd,rkd&lambdas=0,0.5&teacherEpochs=1&studentEpochs=1&baseline=0&charts=0&optimizer=sgd&lr=0.1
 * Every key and its rule come from the option table (engine/options.ts), which the CLI shares.
 */
export interface UrlSetup extends Setup {
  /** The URL named a preset (else the page starts on quick, and a bare address moves to lab with a GPU). */
  presetGiven: boolean;
  /** The address had no settings at all. */
  bare: boolean;
  /** One line per URL parameter that could not be used (named, with why), for the page to list. */
  problems: string[];
}

export { presetConfig as configFor } from '../engine/options';

export function readUrlSetup(search: string): UrlSetup {
  const params = new URLSearchParams(search);
  const texts = new Map(params);
  // Without a preset in the address the page starts on quick, which any machine runs: lab (25 minutes on
  // a CPU) is offered only once a GPU is found (workerEvents), never shown first and then taken back.
  const { setup, problems, notes } = applyOptions(texts, (o) => o.urlKey, texts.has('preset') ? 'lab' : 'quick');
  const known = new Set(OPTIONS.flatMap((o) => (o.urlKey ? [o.urlKey] : [])));
  const keys = [...params.keys()];
  // A misspelt key (lambda=5) must not pass for a setting that was applied.
  const unknown = [...new Set(keys.filter((k) => !known.has(k)))].map(
    (k) => `${k || '(an empty name)'} is not a setting of the lab; it was ignored.`,
  );
  const repeated = [...new Set(keys.filter((k, i) => known.has(k) && keys.indexOf(k) !== i))].map(
    (k) => `${k} was given more than once; the last value was used.`,
  );
  return {
    ...setup,
    problems: [...problems, ...unknown, ...repeated, ...notes],
    presetGiven: texts.has('preset'),
    bare: keys.length === 0,
  };
}

/**
 * The longest address the lab writes. Servers refuse longer request lines (Vite's dev server answers
 * HTTP 431 from about 16 KB of headers; many proxies stop at 8 KB), and 2,000 characters is what every
 * browser and server accepts.
 */
export const SAFE_URL_LENGTH = 2000;

/**
 * A link to this page that restores the setup (only what differs from the preset's defaults). Options
 * whose text would take the address past SAFE_URL_LENGTH are left out, longest first, and named.
 */
export function setupLink(setup: Setup, base: string): { url: string; leftOut: string[] } {
  const params = new URLSearchParams(setupQuery(setup));
  const leftOut: string[] = [];
  const length = () => base.length + 1 + params.toString().length;
  while (length() > SAFE_URL_LENGTH) {
    const [longest] = [...params.entries()].sort((a, b) => b[1].length - a[1].length);
    if (!longest) break;
    params.delete(longest[0]);
    leftOut.push(longest[0]);
  }
  const query = params.toString();
  return { url: query ? `${base}?${query}` : base, leftOut };
}

export function setupUrl(setup: Setup, base: string): string {
  return setupLink(setup, base).url;
}
