import { expect, test } from '@playwright/test';
import { makeWiderCopy as makeCopy } from '../src/cli/imageFolderKit';

test('a WIDER Attribute copy: clusters and groups counted, skipped images explained, official split kept', async ({
  page,
}) => {
  await page.goto('/?preset=tiny&teacherEpochs=1&studentEpochs=1&baseline=0');
  await page.getByTestId('dataset-origin').selectOption('wider');
  await page.getByTestId('import-size').selectOption('16');
  await page.getByTestId('folder-input').setInputFiles(makeCopy());
  const summary = page.getByTestId('dataset-summary');
  await expect(summary).toBeVisible({ timeout: 60_000 });
  // 24 readable photos + two listed again in the test file with nobody specified = 26 examples;
  // train = WIDER's trainval (4 per scene), test = WIDER's test (2 per scene + those two).
  await expect(summary).toContainText('26 images (16 train · 0 val · 10 test)');
  const row = (name: string) =>
    page
      .getByTestId('dataset-counts')
      .locator('tbody tr', { has: page.getByRole('rowheader', { name, exact: true }) })
      .locator('td');
  await expect(row('Parade')).toHaveText(['3', '3', '2']); // male, female, unknown (the two unspecified test photos)
  await expect(row('Waiter_Or_Waitress')).toHaveText(['3', '3', '0']);
  await expect(row('Team_Sports')).toHaveText(['3', '3', '0']);
  await expect(row('Business')).toHaveText(['3', '3', '0']);
  await expect(row('Surgeons')).toHaveText(['0', '0', '0']);
  await page.getByTestId('dataset-skipped').locator('summary').click();
  await expect(page.getByTestId('dataset-skipped')).toContainText('Image/0--Parade/0_Parade_gone.jpg: missing file');
  await expect(page.getByTestId('dataset-skipped')).toContainText('Image/0--Parade/0_Parade_broken.jpg: unreadable');

  // Person crops: one example per box (2 per photo), each with its own group, cut from the photo;
  // validation (4) comes out of WIDER's trainval boxes, the test split is WIDER's test boxes.
  await page.getByTestId('wider-mode').selectOption('person');
  await page.getByTestId('folder-input').setInputFiles(makeCopy());
  await expect(summary).toContainText('50 images (28 train · 4 val · 18 test)', { timeout: 60_000 });
  await expect(row('Parade')).toHaveText(['3', '3', '8']);
  await expect(row('Business')).toHaveText(['3', '3', '6']);
  await expect(page.getByTestId('dataset-skipped')).toContainText(
    'the person box [100, 100, 10, 10] lies outside the 24×20 photo',
  );
  await page.getByTestId('distill').click();
  await expect(page.getByTestId('results-table').getByTestId('result-row-student')).toHaveCount(1, {
    timeout: 240_000,
  });
  await expect(page.getByText(/18 test images · wasm/)).toBeVisible(); // WIDER's test split: 8 photos × 2 boxes + 2
});

test('“Use the study’s protocol” sets B3 → B0, the four methods at the study’s λ, the fine-tune and crops', async ({
  page,
}) => {
  await page.goto('/?preset=tiny');
  await page.getByTestId('dataset-origin').selectOption('wider');
  await page.getByTestId('use-study').click();
  await expect(page.getByTestId('teacher-model')).toHaveValue('efficientnet-b3');
  await expect(page.getByTestId('student-model')).toHaveValue('efficientnet-b0');
  await expect(page.getByTestId('lambdas')).toHaveValue('0, 0.5, 1, 2');
  await expect(page.getByTestId('augment')).toHaveValue('crop+flip');
  await expect(page.getByTestId('import-size')).toHaveValue('224');
  await expect(page.getByTestId('wider-mode')).toHaveValue('image');
  // The address carries the protocol: what the runner's --study runs, setting by setting.
  const href = (await page.getByTestId('share-setup').getAttribute('href'))!;
  const q = new URLSearchParams(href.split('?')[1]);
  expect(
    Object.fromEntries(
      [
        'methods',
        'lambdas',
        'lr',
        'lrSchedule',
        'freezeEpochs',
        'batchSize',
        'augment',
        'teacherEpochs',
        'studentEpochs',
      ].map((k) => [k, q.get(k)]),
    ),
  ).toEqual({
    methods: 'kd,rkd,ctkd,kdpp',
    lambdas: '0,0.5,1,2',
    lr: '0.001',
    lrSchedule: 'cosine',
    freezeEpochs: '1',
    batchSize: '16',
    augment: 'crop+flip',
    teacherEpochs: '10',
    studentEpochs: '10',
  });
});
