import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';

/** Files the browser tests pick: an image folder with its labels CSV, and a tfjs teacher written by hand. */

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

/** A 16×16 RGB → 4-class dense model in tfjs's LayersModel format, written by hand; the two files to pick. */
export function writeByHandTeacher(): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'fairdistill-teacher-'));
  const topology = {
    class_name: 'Sequential',
    config: {
      name: 'byhand',
      layers: [
        { class_name: 'Flatten', config: { name: 'flat', batch_input_shape: [null, 16, 16, 3] } },
        { class_name: 'Dense', config: { name: 'out', units: 4, activation: 'linear', use_bias: true } },
      ],
    },
    keras_version: 'tfjs-layers 4.22.0',
    backend: 'tensor_flow.js',
  };
  const weights = [
    { name: 'out/kernel', shape: [768, 4], dtype: 'float32' },
    { name: 'out/bias', shape: [4], dtype: 'float32' },
  ];
  writeFileSync(
    join(dir, 'byhand.json'),
    JSON.stringify({
      modelTopology: topology,
      format: 'layers-model',
      weightsManifest: [{ paths: ['byhand.bin'], weights }],
    }),
  );
  writeFileSync(join(dir, 'byhand.bin'), Buffer.alloc((768 * 4 + 4) * 4));
  return [join(dir, 'byhand.json'), join(dir, 'byhand.bin')];
}
