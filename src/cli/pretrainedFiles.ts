import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import type { PretrainedWeights } from '../engine/run/pretrained';
import type { ExperimentConfig } from '../engine/types';
import type { RawTensor } from '../engine/weights/rawTensor';
import { readWeightFile, weightFileSizeProblem } from '../engine/weights/readWeights';

/** A weight file's bytes from disk, its size checked before it is read; `flag` names where it was given. */
export function readWeightBytes(path: string, flag: string): Uint8Array {
  try {
    const problem = weightFileSizeProblem(basename(path), statSync(path).size);
    if (problem) throw new Error(problem);
    return readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (!code) throw e;
    throw new Error(`${flag} ${path} cannot be read (${code}).`, { cause: e });
  }
}

/** Reads the weight files a config names by path, replacing each path by the file's name, size and SHA-256. */
export function readPretrained(config: ExperimentConfig): PretrainedWeights | undefined {
  const read = new Map<string, Map<string, RawTensor>>();
  for (const role of ['teacher', 'student'] as const) {
    const path = config.pretrained?.[role]?.name;
    if (!path) continue;
    const bytes = readWeightBytes(path, `--${role}-weights`);
    read.set(role, readWeightFile(bytes, basename(path)).tensors);
    config.pretrained![role] = {
      name: basename(path),
      bytes: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
    };
  }
  return read.size ? (role) => read.get(role) : undefined;
}
