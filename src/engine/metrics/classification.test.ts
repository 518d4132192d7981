import { describe, expect, it } from 'vitest';
import { classificationMetrics, confusionMatrix } from './classification';

/** Expand a confusion table into (label, prediction) pairs. */
function pairs(table: number[][]): { labels: number[]; preds: number[] } {
  const labels: number[] = [];
  const preds: number[] = [];
  table.forEach((row, y) =>
    row.forEach((n, p) => {
      for (let i = 0; i < n; i++) {
        labels.push(y);
        preds.push(p);
      }
    }),
  );
  return { labels, preds };
}

describe('classification metrics on a hand-made confusion table', () => {
  const table = [
    [5, 1, 0],
    [2, 3, 1],
    [0, 0, 4],
  ];
  const { labels, preds } = pairs(table);
  const m = classificationMetrics(confusionMatrix(labels, preds, 3));

  it('rebuilds the confusion table and the accuracy (12 of 16)', () => {
    expect(m.confusion).toEqual(table);
    expect(m.accuracy).toBe(0.75);
  });

  it('per-class precision, recall and F1', () => {
    expect(m.perClass[0].precision).toBeCloseTo(5 / 7, 12);
    expect(m.perClass[0].recall).toBeCloseTo(5 / 6, 12);
    expect(m.perClass[0].f1).toBeCloseTo(10 / 13, 12);
    expect(m.perClass[1]).toMatchObject({ precision: 0.75, recall: 0.5, support: 6 });
    expect(m.perClass[1].f1).toBeCloseTo(0.6, 12);
    expect(m.perClass[2].precision).toBeCloseTo(0.8, 12);
    expect(m.perClass[2].recall).toBe(1);
    expect(m.perClass[2].f1).toBeCloseTo(8 / 9, 12);
  });

  it('macro is the plain mean; weighted uses the true support (weighted recall = accuracy)', () => {
    expect(m.macro.precision).toBeCloseTo((5 / 7 + 0.75 + 0.8) / 3, 12);
    expect(m.macro.recall).toBeCloseTo((5 / 6 + 0.5 + 1) / 3, 12);
    expect(m.macro.f1).toBeCloseTo((10 / 13 + 0.6 + 8 / 9) / 3, 12);
    expect(m.weighted.recall).toBeCloseTo(0.75, 12);
    expect(m.weighted.precision).toBeCloseTo(((6 * 5) / 7 + 6 * 0.75 + 4 * 0.8) / 16, 12);
    expect(m.weighted.f1).toBeCloseTo(((6 * 10) / 13 + 6 * 0.6 + (4 * 8) / 9) / 16, 12);
  });

  it('a class never predicted has precision 0; a class with no example is left out of the macro mean', () => {
    const t = [
      [3, 0, 0],
      [2, 0, 0],
      [0, 0, 0],
    ];
    const { labels: l, preds: p } = pairs(t);
    const r = classificationMetrics(confusionMatrix(l, p, 3));
    expect(r.perClass[1]).toMatchObject({ precision: 0, recall: 0, f1: 0, support: 2 });
    expect(r.macro.recall).toBeCloseTo(0.5, 12); // (1 + 0)/2: class 2 has no support
    expect(r.accuracy).toBeCloseTo(0.6, 12);
  });

  it('rejects predictions of the wrong length', () => {
    expect(() => confusionMatrix([0, 1], [0], 2)).toThrow(/differ in length/);
  });
});
