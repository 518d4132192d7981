import { expect, test } from '@playwright/test';
import { applyOptions, OPTIONS } from '../src/engine/options';

/**
 * Every setting of the option table (engine/options.ts) — each URL key with a value other than its
 * preset's default — survives a reload of the page and a copied "Link to this setup". A new option
 * without a sample here fails the test, so the list cannot fall behind the table.
 */
const SAMPLES: Record<string, string> = {
  preset: 'tiny',
  methods: 'kd,dkd',
  lambdas: '0,1.5',
  sweep: 'kd.temperature=2,8',
  teacher: 'lab-teacher',
  student: 'small-student',
  params: 'dkd.beta=6;dkd.warmupEpochs=2',
  teacherEpochs: '3',
  studentEpochs: '2',
  batchSize: '24',
  seed: '5',
  dataSeed: '11',
  biasStrength: '0.35',
  design: 'shortcut',
  classes: '6',
  examples: '600',
  imageSize: '24',
  cueStrength: '0.55',
  labelNoise: '0.03',
  hiddenDetail: '0.2',
  detailContrast: '0.7',
  adversaryHidden: '16',
  adversaryLr: '0.002',
  adversaryWarmup: '2',
  schedule: 'linear',
  projection: '1',
  equalizedOdds: '1',
  baseline: '0',
  optimizer: 'sgd',
  lr: '0.01',
  methodLambdas: 'dkd=0,3',
  lrSchedule: 'cosine',
  // Refused by the form without a weight file, yet carried by the link like every other setting.
  freezeEpochs: '1',
  // Photos only (a run on the built-in data refuses it), carried by the link all the same.
  augment: 'crop+flip',
  // Photos only, at most the stored size; carried by the link all the same.
  inputSize: '16',
  backend: 'wasm',
  threads: '1',
  charts: '0',
};

const parse = (query: string) => applyOptions(new Map(new URLSearchParams(query)), (o) => o.urlKey);

test('every option survives a reload and a copied link, each checked by name', async ({ page }) => {
  const keys = OPTIONS.flatMap((o) => (o.urlKey ? [o.urlKey] : []));
  expect(
    keys.filter((k) => !(k in SAMPLES)),
    'options without a sample',
  ).toEqual([]);
  const query = new URLSearchParams(SAMPLES).toString();
  const asked = parse(query);
  expect(asked.problems).toEqual([]);
  await page.goto(`/?${query}`);
  await expect(page.getByTestId('backend-badge')).toHaveAttribute('data-backend', 'wasm');
  await expect(page.getByTestId('url-problems')).toHaveCount(0);
  await page.reload();
  await expect(page.getByTestId('backend-badge')).toHaveAttribute('data-backend', 'wasm');
  const address = new URL(page.url()).search.slice(1);
  const href = (await page.getByTestId('share-setup').getAttribute('href'))!;
  const link = href.split('?')[1] ?? '';
  for (const [where, q] of [
    ['address after a reload', address],
    ['Link to this setup', link],
  ] as const) {
    const back = new URLSearchParams(q);
    for (const key of keys) expect(back.get(key), `${key} in the ${where}`).toBe(SAMPLES[key]);
    expect(parse(q).setup, where).toEqual(asked.setup);
  }
  // The form shows what the link holds.
  await expect(page.getByTestId('preset')).toHaveValue('tiny');
  await expect(page.getByTestId('lambdas')).toHaveValue('0, 1.5');
  await expect(page.getByTestId('design')).toHaveValue('shortcut');
  await expect(page.getByTestId('hidden-detail')).toHaveValue('0.2');
  await expect(page.getByTestId('optimizer')).toHaveValue('sgd');
});
