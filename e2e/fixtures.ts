import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
export { makeFolder } from '../src/cli/imageFolderKit';

/** Files the browser tests pick: an image folder with its labels CSV, and a tfjs teacher written by hand. */

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
