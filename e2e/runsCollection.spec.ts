import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';

test('stored runs as a collection: notes and tags kept over a reload and in the export, found and ordered', async ({
  page,
}) => {
  await page.goto('/?preset=tiny&methods=kd&lambdas=0&baseline=0&teacherEpochs=1&studentEpochs=1');
  await page.getByTestId('seed-count').selectOption('2');
  await page.getByTestId('distill').click();
  const runs = page.getByTestId('stored-run');
  await expect(runs).toHaveCount(2, { timeout: 240_000 });
  await expect(page.getByTestId('distill')).toHaveText(/^Distill/, { timeout: 60_000 });
  // Setting by setting: the seed is the one setting that differs (found by itself), then the outcomes;
  // the two runs one group of two.
  const parallel = page.getByTestId('runs-parallel');
  await expect(parallel).toHaveAttribute('data-axes', /^seed\|teacher top-1 %\|/);
  await expect(parallel.locator('.legendtext')).toHaveText(['Tiny (tests, any CPU) · λ 0 (n = 2)']);
  await expect(parallel.locator('.scatterlayer .trace')).toHaveCount(2);
  await parallel.screenshot({ path: 'test-results/runs-parallel.png' });
  // Newest first: seed 1's run on top. Notes and tags on seed 0's run.
  await expect(runs.first().getByTestId('open-run')).toContainText('seed 1');
  const seed0 = runs.filter({ hasText: 'seed 0' });
  await seed0.getByTestId('run-notes').click();
  await seed0.getByTestId('run-notes-input').fill('first pilot: lr 0.005 is high');
  await seed0.getByTestId('run-tags-input').fill('pilot, #tiny, Pilot');
  await seed0.getByTestId('run-notes-save').click();
  await expect(seed0.getByTestId('run-tag')).toHaveText(['#pilot', '#tiny']); // repeats dropped
  await expect(seed0.getByTestId('run-note')).toHaveText('first pilot: lr 0.005 is high');

  await page.reload();
  await expect(runs).toHaveCount(2);
  await expect(runs.filter({ hasText: 'seed 0' }).getByTestId('run-tag')).toHaveText(['#pilot', '#tiny']);
  // Find: by tag, by a word of the notes, by seed; the count says how many of all.
  const filter = page.getByTestId('runs-filter');
  await filter.fill('#pilot');
  await expect(runs).toHaveCount(1);
  await expect(page.getByTestId('runs-found')).toHaveText('1 of 2');
  await filter.fill('LR 0.005');
  await expect(runs).toHaveCount(1);
  await filter.fill('seed 1');
  await expect(runs).toHaveCount(1);
  await expect(runs.first().getByTestId('open-run')).toContainText('seed 1');
  await filter.fill('');
  await page.getByTestId('runs-order').selectOption('oldest');
  await expect(runs.first().getByTestId('open-run')).toContainText('seed 0');
  // The export carries them.
  const [json] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-json').click()]);
  const exported = JSON.parse(readFileSync((await json.path())!, 'utf8')) as {
    runs: { name: string; notes?: string; tags?: string[] }[];
  };
  const tagged = exported.runs.find((r) => r.name.includes('seed 0'))!;
  expect([tagged.notes, tagged.tags]).toEqual(['first pilot: lr 0.005 is high', ['pilot', 'tiny']]);
});
