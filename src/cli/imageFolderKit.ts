import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { WIDER_SCENES } from '../engine/data/wider';

/**
 * Image folders the tests pick or read (the browser tests through the page, the runner's tests through
 * --data): a labels-CSV folder and a WIDER Attribute copy in the real layout, made of small PNGs.
 */

const CLASSES = ['Parade', 'Spa', 'Surgeons', 'Picnic'];

/** A folder in the documented layout: labels.csv (file, class, group, extra) and img/*.png. */
export function makeFolder(): string {
  const root = mkdtempSync(join(tmpdir(), 'fairdistill-'));
  const dir = join(root, 'my-photos');
  mkdirSync(join(dir, 'img'), { recursive: true });
  const lines = ['file,class,group,note'];
  let n = 0;
  CLASSES.forEach((cls, c) => {
    for (const group of ['woman', 'man']) {
      for (let k = 0; k < 8; k++) {
        const png = new PNG({ width: 20, height: 16 }); // not square: the loader center-crops
        for (let i = 0; i < 20 * 16; i++) {
          png.data[i * 4] = (60 * c + 7 * k) % 256;
          png.data[i * 4 + 1] = group === 'man' ? 200 : 40;
          png.data[i * 4 + 2] = (i * 3) % 256;
          png.data[i * 4 + 3] = 255;
        }
        const file = `img/${n++}.png`;
        writeFileSync(join(dir, file), PNG.sync.write(png));
        lines.push(`${file},${cls},${k === 7 ? '' : group},"free text, ignored"`);
      }
    }
  });
  writeFileSync(join(dir, 'labels.csv'), lines.join('\n') + '\n');
  return dir;
}

const SCENES = WIDER_SCENES;

const person = (male: number, bbox = [2, 2, 12, 12]) => ({
  attribute: [male, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
  bbox,
});

/** A WIDER Attribute copy in the real layout, with a missing image, an unreadable one and one with nobody specified. */
export function makeWiderCopy(): string {
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

/** A 640×480 photo-like PNG: gradients, edges and noise from a fixed stream. */
export function writePhotoPng(path: string): void {
  const png = new PNG({ width: 640, height: 480 });
  let s = 7;
  const rnd = () => ((s = (s * 1103515245 + 12345) >>> 0) >>> 16) % 256;
  for (let y = 0; y < 480; y++)
    for (let x = 0; x < 640; x++) {
      const i = (y * 640 + x) * 4;
      const disc = (x - 300) ** 2 + (y - 220) ** 2 < 110 ** 2;
      png.data[i] = disc ? 230 : (x * 255) / 640;
      png.data[i + 1] = ((y * 255) / 480 + rnd() / 8) % 256;
      png.data[i + 2] = (x ^ y) & 0xff;
      png.data[i + 3] = 255;
    }
  writeFileSync(path, PNG.sync.write(png));
}
