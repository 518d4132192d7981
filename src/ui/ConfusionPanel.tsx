import { useMemo, useState } from 'react';
import type { ModelResult } from '../engine/types';
import { useLab } from '../store/labStore';

/** One confusion table: rows the true class, columns the predicted one; shade = share of the row. */
function Matrix({
  model,
  classNames,
  group,
}: {
  model: ModelResult;
  classNames: string[];
  /** One group's table (its index and name); absent: every test image. */
  group?: { index: 0 | 1; name: string };
}) {
  const m = group ? model.fairness.confusionByGroup![group.index] : model.test.confusion;
  const total = m.reduce((s, row) => s + row.reduce((a, b) => a + b, 0), 0);
  const right = m.reduce((s, row, i) => s + row[i], 0);
  return (
    <table className="confusion" data-testid="confusion-matrix" data-model={model.label} data-group={group?.name}>
      <caption>
        {model.label}
        {group ? ` · ${group.name} (${total})` : ''} · top-1 {total ? ((100 * right) / total).toFixed(1) : '—'}%
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

const rate = (v: number | null) => (v === null ? '—' : (100 * v).toFixed(1));
const gap = (v: number | null) => (v === null ? '—' : (100 * v).toFixed(1));

/**
 * Per class, the rates each fairness gap is built from, per group — Fairlearn's MetricFrame(by_group) of
 * "is this class": true-positive rate (recall), false-positive rate, selection rate, and the group's count —
 * with the gaps beside them (equal opportunity, equalized odds, demographic parity).
 */
function GroupRates({
  model,
  classNames,
  groupNames,
}: {
  model: ModelResult;
  classNames: string[];
  groupNames: string[];
}) {
  const rows = model.fairness.oneVsRest.filter((o) => o.byGroup);
  const [a, b] = groupNames;
  return (
    <table className="group-rates" data-testid="group-rates" data-model={model.label}>
      <caption>
        {model.label}: rates by group (%), each class against the rest · {a} {rows[0]?.byGroup!.count[0] ?? 0} and {b}{' '}
        {rows[0]?.byGroup!.count[1] ?? 0} test images
      </caption>
      <thead>
        <tr>
          <th scope="col">class</th>
          <th scope="col" title="True-positive rate (recall of the class)">
            TPR {a} / {b}
          </th>
          <th scope="col" title="False-positive rate: images of other classes predicted as this one">
            FPR {a} / {b}
          </th>
          <th scope="col" title="Selection rate: how often the group is predicted as this class at all">
            selection {a} / {b}
          </th>
          <th scope="col" title="Equal-opportunity gap: |TPR gap| (= |disparity|)">
            EOpp gap
          </th>
          <th scope="col" title="Equalized-odds gap: the larger of the TPR and FPR gaps">
            EOdds gap
          </th>
          <th scope="col" title="Demographic-parity gap: |selection-rate gap|">
            DP gap
          </th>
        </tr>
      </thead>
      <tbody>
        {rows.map((o) => {
          const g = o.byGroup!;
          return (
            <tr key={o.classIndex} data-class={classNames[o.classIndex]}>
              <th scope="row">{classNames[o.classIndex]}</th>
              <td data-rate="tpr">
                {rate(g.truePositiveRate[0])} / {rate(g.truePositiveRate[1])}
              </td>
              <td data-rate="fpr">
                {rate(g.falsePositiveRate[0])} / {rate(g.falsePositiveRate[1])}
              </td>
              <td data-rate="selection">
                {rate(g.selectionRate[0])} / {rate(g.selectionRate[1])}
              </td>
              <td data-gap="eopp">{gap(o.equalOpportunity)}</td>
              <td data-gap="eodds">{gap(o.equalizedOdds)}</td>
              <td data-gap="dp">{gap(o.demographicParity)}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** Each model's confusion table on the test split, with the teacher's beside it; split by group on request. */
export function ConfusionPanel() {
  const result = useLab((s) => s.result);
  const view = useLab((s) => s.view);
  const models = useMemo(() => result?.students ?? [], [result]);
  const initial = models.find((s) => s.role === 'student' && s.lambda === view?.lambda) ?? models[0];
  const [chosen, setChosen] = useState<string | null>(null);
  const [byGroup, setByGroup] = useState(false);
  if (!result || !models.length) return null;
  const model = models.find((m) => m.label === chosen) ?? initial;
  const { classNames, groupNames } = result.dataset;
  // Runs stored before the tables by group were kept have none to split.
  const canSplit = !!model.fairness.confusionByGroup && !!result.teacher.fairness.confusionByGroup;
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
        <label
          className="toggles"
          title={canSplit ? undefined : 'This run was stored before the tables by group were kept'}
        >
          <input
            type="checkbox"
            checked={byGroup && canSplit}
            disabled={!canSplit}
            onChange={(e) => setByGroup(e.target.checked)}
            data-testid="confusion-by-group"
          />{' '}
          Split by group, with the rates by group
        </label>
        {byGroup && canSplit ? (
          <>
            {[result.teacher, model].map((m) => (
              <div className="confusion-pair" key={m.label}>
                {([0, 1] as const).map((g) => (
                  <Matrix key={g} model={m} classNames={classNames} group={{ index: g, name: groupNames[g] }} />
                ))}
              </div>
            ))}
            <GroupRates model={result.teacher} classNames={classNames} groupNames={groupNames} />
            <GroupRates model={model} classNames={classNames} groupNames={groupNames} />
          </>
        ) : (
          <div className="confusion-pair">
            <Matrix model={result.teacher} classNames={classNames} />
            <Matrix model={model} classNames={classNames} />
          </div>
        )}
      </details>
    </section>
  );
}
