import { crossEntropy } from './common';
import type { DistillMethod } from './method';
import { methodInfo } from './catalog';

/** No teacher: the student learns from labels alone. Every method must beat this. */
export const noDistillation: DistillMethod = {
  ...methodInfo('none'),
  loss: (x) => {
    const ceTerm = crossEntropy(x.studentLogits, x.oneHot);
    return { total: ceTerm, terms: { CE: ceTerm } };
  },
};
