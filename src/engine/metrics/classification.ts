import type { ClassificationMetrics } from '../types';

/** confusion[true][predicted] counts. */
export function confusionMatrix(labels: ArrayLike<number>, preds: ArrayLike<number>, classes: number): number[][] {
  if (labels.length !== preds.length)
    throw new Error(`labels (${labels.length}) and predictions (${preds.length}) differ in length`);
  const m = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < labels.length; i++) m[labels[i]][preds[i]]++;
  return m;
}

const safeDiv = (a: number, b: number) => (b === 0 ? 0 : a / b);

/**
 * Accuracy and precision/recall/F1 per class, macro (plain mean over classes) and weighted
 * (by true support, as the study reported). A class never predicted has precision 0 and a class
 * with no example recall 0 (scikit-learn's zero_division=0); classes with no support are left out of
 * the macro mean so an absent class does not drag it down.
 */
export function classificationMetrics(confusion: number[][]): ClassificationMetrics {
  const k = confusion.length;
  const total = confusion.reduce((s, row) => s + row.reduce((a, b) => a + b, 0), 0);
  let correct = 0;
  const perClass = [];
  for (let c = 0; c < k; c++) {
    const tp = confusion[c][c];
    correct += tp;
    const support = confusion[c].reduce((a, b) => a + b, 0);
    let predicted = 0;
    for (let r = 0; r < k; r++) predicted += confusion[r][c];
    const precision = safeDiv(tp, predicted);
    const recall = safeDiv(tp, support);
    const f1 = safeDiv(2 * precision * recall, precision + recall);
    perClass.push({ precision, recall, f1, support });
  }
  const present = perClass.filter((p) => p.support > 0);
  const macro = {
    precision: safeDiv(
      present.reduce((s, p) => s + p.precision, 0),
      present.length,
    ),
    recall: safeDiv(
      present.reduce((s, p) => s + p.recall, 0),
      present.length,
    ),
    f1: safeDiv(
      present.reduce((s, p) => s + p.f1, 0),
      present.length,
    ),
  };
  const weighted = {
    precision: safeDiv(
      perClass.reduce((s, p) => s + p.precision * p.support, 0),
      total,
    ),
    recall: safeDiv(
      perClass.reduce((s, p) => s + p.recall * p.support, 0),
      total,
    ),
    f1: safeDiv(
      perClass.reduce((s, p) => s + p.f1 * p.support, 0),
      total,
    ),
  };
  return { accuracy: safeDiv(correct, total), macro, weighted, perClass, confusion };
}

export function accuracy(labels: ArrayLike<number>, preds: ArrayLike<number>): number {
  let c = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i] === preds[i]) c++;
  return labels.length ? c / labels.length : 0;
}
