import { useLab } from '../store/labStore';
import { NumberField } from './NumberField';

/** The adversary's settings (warm-up, schedule, size, learning rate, equalized odds, projection), folded away. */
export function AdversarySettings() {
  const config = useLab((s) => s.config);
  const updateConfig = useLab((s) => s.updateConfig);
  return (
    <details className="adversary-settings">
      <summary>Adversary settings</summary>
      <div className="grid2">
        <NumberField
          label="Warm-up epochs"
          value={config.debias.warmupEpochs}
          min={0}
          step={1}
          help="Student epochs before λ turns on; the adversary trains throughout."
          testId="debias-warmup"
          onChange={(v) => updateConfig({ debias: { ...config.debias, warmupEpochs: v } })}
        />
        <label className="field">
          <span>λ schedule</span>
          <select
            value={config.debias.schedule}
            data-testid="debias-schedule"
            onChange={(e) =>
              updateConfig({ debias: { ...config.debias, schedule: e.target.value as 'constant' | 'linear' } })
            }
          >
            <option value="constant">constant after warm-up</option>
            <option value="linear">linear ramp to λ</option>
          </select>
        </label>
        <NumberField
          label="Adversary hidden units"
          value={config.debias.hidden}
          min={1}
          step={1}
          onChange={(v) => updateConfig({ debias: { ...config.debias, hidden: v } })}
        />
        <NumberField
          label="Adversary learning rate"
          value={config.debias.adversaryLr}
          min={0}
          step={0.0005}
          onChange={(v) => updateConfig({ debias: { ...config.debias, adversaryLr: v } })}
        />
      </div>
      <label
        className="check"
        title="The adversary also reads the true label: it removes what the output says about the group beyond the class (equal recall), not the class itself."
      >
        <input
          type="checkbox"
          checked={config.debias.equalizedOdds}
          data-testid="debias-equalized-odds"
          onChange={(e) => updateConfig({ debias: { ...config.debias, equalizedOdds: e.target.checked } })}
        />{' '}
        Equalized odds (the adversary reads the true label too)
      </label>
      <label
        className="check"
        title="Zhang et al. 2018: remove the part of the task gradient that helps the adversary, as AIF360 does."
      >
        <input
          type="checkbox"
          checked={config.debias.projection}
          data-testid="debias-projection"
          onChange={(e) => updateConfig({ debias: { ...config.debias, projection: e.target.checked } })}
        />{' '}
        Projection (Zhang et al. 2018) instead of gradient reversal
      </label>
    </details>
  );
}
