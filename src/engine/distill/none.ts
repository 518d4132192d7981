import { crossEntropy } from './common';
import type { DistillMethod } from './method';

/** No teacher: the student learns from labels alone. Every method must beat this. */
export const noDistillation: DistillMethod = {
  id: 'none',
  label: 'No distillation (labels only)',
  short: 'Labels only',
  paper: 'Baseline',
  params: [],
  usesTeacher: false,
  loss: (x) => {
    const ceTerm = crossEntropy(x.studentLogits, x.oneHot);
    return { total: ceTerm, terms: { CE: ceTerm } };
  },
};
