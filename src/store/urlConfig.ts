import { applyOptions, setupQuery, type Setup } from '../engine/options';

/**
 * The URL can force a backend and shape the first experiment, for tests and for sharing a setup:
 * ?backend=cpu&threads=2&preset=tiny&methods=kd,rkd&lambdas=0,0.5&teacherEpochs=1&studentEpochs=1&baseline=0&charts=0&optimizer=sgd&lr=0.1
 * Every key and its rule come from the option table (engine/options.ts), which the CLI shares.
 */
export interface UrlSetup extends Setup {
  /** The URL named a preset (else the lab picks one for the machine: quick without a GPU). */
  presetGiven: boolean;
  /** One line per URL parameter that could not be used (named, with why), for the page to list. */
  problems: string[];
}

export { presetConfig as configFor } from '../engine/options';

export function readUrlSetup(search: string): UrlSetup {
  const texts = new Map(new URLSearchParams(search));
  const { setup, problems } = applyOptions(texts, (o) => o.urlKey);
  return { ...setup, problems, presetGiven: texts.has('preset') };
}

/** A link to this page that restores the setup (only what differs from the preset's defaults). */
export function setupUrl(setup: Setup, base: string): string {
  const query = setupQuery(setup);
  return query ? `${base}?${query}` : base;
}
