import { isMethodId, METHOD_INFO, type MethodId } from './catalog';
import { classicKD } from './kd';
import { curriculumTemperatureKD } from './ctkd';
import { decoupledKD } from './dkd';
import { kdPlusPlus } from './kdpp';
import type { DistillMethod } from './method';
import { noDistillation } from './none';
import { relationalKD } from './rkd';

/**
 * Each catalog entry's losses: one line per method. Keyed by the catalog's ids, so a catalog entry
 * without its line here (or a line without its entry) does not compile.
 */
const REGISTRY: Record<MethodId, DistillMethod> = {
  kd: classicKD,
  rkd: relationalKD,
  ctkd: curriculumTemperatureKD,
  kdpp: kdPlusPlus,
  dkd: decoupledKD,
  none: noDistillation,
};

/** Every method with its losses, in the catalog's order. */
export const METHODS: DistillMethod[] = METHOD_INFO.map((m) => REGISTRY[m.id]);

export function method(id: string): DistillMethod {
  if (!isMethodId(id)) throw new Error(`Unknown method "${id}". Known: ${METHOD_INFO.map((x) => x.id).join(', ')}.`);
  return REGISTRY[id];
}

export type { DistillMethod, HyperParam, LossInputs, LossOutput, MethodState } from './method';
export { withDefaults, validateParams } from './method';
