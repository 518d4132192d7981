/**
 * The loss a student descends at a step, from the terms its curve records: the task loss (the method's
 * total, or CE where it has one term) less λ·adversary when an adversary pulls (gradient reversal:
 * L_task − λ·L_adv, METHODS.md; `λ` is the step's λ, scheduled or not). The adversary's loss alone does
 * not tell runs apart; the objective does — runs at λ 1, 2 and 4 drawn as their task loss coincide.
 * Under projection (Zhang et al.) the step is not the gradient of one loss; the same figure is shown.
 */
export function objectiveOf(terms: Record<string, number>): number | undefined {
  const task = terms.total ?? terms.CE;
  if (task === undefined) return undefined;
  const lambda = terms['λ'];
  return terms.adversary !== undefined && lambda !== undefined ? task - lambda * terms.adversary : task;
}
