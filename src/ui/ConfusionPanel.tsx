import { useMemo, useState } from 'react';
import type { ModelResult } from '../engine/types';
import { useLab } from '../store/labStore';

/** One confusion table: rows the true class, columns the predicted one; shade = share of the row. */
function Matrix({ model, classNames }: { model: ModelResult; classNames: string[] }) {
  const m = model.test.confusion;
  return (
    <table className="confusion" data-testid="confusion-matrix" data-model={model.label}>
      <caption>
        {model.label} · top-1 {(100 * model.test.accuracy).toFixed(1)}%
      </caption>
      <thead>
        <tr>
          <th scope="col">true ↓ / predicted →</th>
          {classNames.map((c) => (
            <th key={c} scope="col" title={c}>
              {c}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {m.map((row, i) => {
          const total = row.reduce((a, b) => a + b, 0);
          return (
            <tr key={classNames[i]}>
              <th scope="row">{classNames[i]}</th>
              {row.map((v, j) => {
                const share = total ? v / total : 0;
                return (
                  <td
                    key={j}
                    data-count={v}
                    title={`${classNames[i]} → ${classNames[j]}: ${v} of ${total}`}
                    style={{
                      background: `rgba(${i === j ? '14,165,233' : '249,115,22'},${(0.85 * share).toFixed(3)})`,
                    }}
                  >
                    {v}
                  </td>
                );
              })}
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** Each model's confusion table on the test split, with the teacher's beside it. */
export function ConfusionPanel() {
  const result = useLab((s) => s.result);
  const view = useLab((s) => s.view);
  const models = useMemo(() => result?.students ?? [], [result]);
  const initial = models.find((s) => s.role === 'student' && s.lambda === view?.lambda) ?? models[0];
  const [chosen, setChosen] = useState<string | null>(null);
  if (!result || !models.length) return null;
  const model = models.find((m) => m.label === chosen) ?? initial;
  return (
    <section className="card" data-testid="confusion-panel">
      <details>
        <summary>
          <h2 className="inline">Confusion tables</h2>{' '}
          <span className="muted">test split: where each model’s mistakes go, beside the teacher’s</span>
        </summary>
        <label>
          Model{' '}
          <select value={model.label} onChange={(e) => setChosen(e.target.value)} data-testid="confusion-model">
            {models.map((m) => (
              <option key={m.label} value={m.label}>
                {m.label}
              </option>
            ))}
          </select>
        </label>
        <div className="confusion-pair">
          <Matrix model={result.teacher} classNames={result.dataset.classNames} />
          <Matrix model={model} classNames={result.dataset.classNames} />
        </div>
      </details>
    </section>
  );
}
