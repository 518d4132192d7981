import { expect, test } from '@playwright/test';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';

const SCENES = [
  'Parade',
  'Handshaking',
  'Riot',
  'Dancing',
  'Funeral',
  'Cheering',
  'Meeting',
  'Stock_Market',
  'Ceremony',
  'Concerts',
  'Couple',
  'Family_Group',
  'Picnic',
  'Soldier_Patrol',
  'Spa',
  'Sports_Fan',
  'Surgeons',
  'Waiter_Waitress',
  'Running',
  'Basketball',
  'Football',
  'Soccer',
  'Ice_Skating',
  'Row_Boat',
  'Aerobics',
  'Celebration_Or_Party',
  'Dresses',
  'Rescue',
  'Angler',
  'Hockey',
];

const person = (male: number, bbox = [2, 2, 12, 12]) => ({
  attribute: [male, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
  bbox,
});

/** A WIDER Attribute copy in the real layout, with a missing image, an unreadable one and one with nobody specified. */
function makeCopy(): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'wider-')), 'WIDER');
  const split: Record<
    'trainval' | 'test',
    { file_name: string; scene_id: number; targets: ReturnType<typeof person>[] }[]
  > = { trainval: [], test: [] };
  const scenes = [0, 17, 19, 7]; // Parade, Waiter_Waitress, Basketball (Team_Sports), Stock_Market (Business)
  for (const scene of scenes) {
    const folder = join(dir, 'Image', `${scene}--${SCENES[scene]}`);
    mkdirSync(folder, { recursive: true });
    for (let k = 0; k < 6; k++) {
      const name = `${scene}_${SCENES[scene]}_${k}.jpg`;
      const png = new PNG({ width: 24, height: 20 });
      for (let i = 0; i < 24 * 20; i++) {
        png.data[i * 4] = (40 * scene) % 256;
        png.data[i * 4 + 1] = 30 * k;
        png.data[i * 4 + 2] = i % 256;
        png.data[i * 4 + 3] = 255;
      }
      // The browser decodes by content, so PNG bytes under a .jpg name are a readable image.
      writeFileSync(join(folder, name), PNG.sync.write(png));
      (k < 4 ? split.trainval : split.test).push({
        file_name: name,
        scene_id: scene,
        targets: [person(k % 2 ? 1 : -1), person(0)],
      });
    }
  }
  split.trainval.push({ file_name: '0_Parade_gone.jpg', scene_id: 0, targets: [person(1)] }); // not in the copy
  writeFileSync(join(dir, 'Image', '0--Parade', '0_Parade_broken.jpg'), 'not an image');
  split.trainval.push({ file_name: '0_Parade_broken.jpg', scene_id: 0, targets: [person(1)] }); // unreadable
  split.test.push({ file_name: '0_Parade_0.jpg', scene_id: 0, targets: [person(0), person(0)] }); // nobody specified
  // A person box wholly outside its 24×20 photo: skipped in person mode, not cropped to a sliver.
  split.test.push({ file_name: '0_Parade_1.jpg', scene_id: 0, targets: [person(0, [100, 100, 10, 10])] });
  for (const s of ['trainval', 'test'] as const) {
    writeFileSync(
      join(dir, `wider_attribute_${s}.json`),
      JSON.stringify({
        images: split[s],
        attribute_id_map: { 0: 'Male' },
        scene_id_map: Object.fromEntries(SCENES.map((x, i) => [i, x])),
      }),
    );
  }
  return dir;
}

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
