import type { MethodId } from '../types';
import { classicKD } from './kd';
import { curriculumTemperatureKD } from './ctkd';
import { decoupledKD } from './dkd';
import { kdPlusPlus } from './kdpp';
import type { DistillMethod } from './method';
import { noDistillation } from './none';
import { relationalKD } from './rkd';

/** Every method the lab offers, in the order of the study's table. Adding one = one file + one line. */
export const METHODS: DistillMethod[] = [
  classicKD,
  relationalKD,
  curriculumTemperatureKD,
  kdPlusPlus,
  decoupledKD,
  noDistillation,
];

export function method(id: MethodId | string): DistillMethod {
  const m = METHODS.find((x) => x.id === id);
  if (!m) throw new Error(`Unknown method "${id}". Known: ${METHODS.map((x) => x.id).join(', ')}.`);
  return m;
}

export type { DistillMethod, HyperParam, LossInputs, LossOutput, MethodState } from './method';
export { withDefaults, validateParams } from './method';
