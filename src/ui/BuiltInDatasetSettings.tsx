import type { SyntheticDatasetConfig } from '../engine/types';
import { useLab } from '../store/labStore';
import { NumberField } from './NumberField';

/** The built-in dataset's settings: its seed, design, bias, cue, noise, size and counts. */
export function BuiltInDatasetSettings({
  synthetic,
  running,
}: {
  synthetic: SyntheticDatasetConfig;
  running: boolean;
}) {
  const updateConfig = useLab((s) => s.updateConfig);
  return (
    <fieldset disabled={running}>
      <legend>Built-in dataset</legend>
      <div className="grid2">
        <NumberField
          label="Classes"
          value={synthetic.classes}
          min={2}
          max={16}
          step={1}
          onChange={(v) => updateConfig({ dataset: { ...synthetic, classes: v } })}
        />
        <NumberField
          label="Images"
          value={synthetic.examples}
          min={40}
          step={10}
          onChange={(v) => updateConfig({ dataset: { ...synthetic, examples: v } })}
        />
        <NumberField
          label="Image size"
          value={synthetic.size}
          min={8}
          max={256}
          step={1}
          onChange={(v) => updateConfig({ dataset: { ...synthetic, size: v } })}
        />
        <NumberField
          label="Bias strength"
          value={synthetic.biasStrength}
          min={0}
          max={1}
          step={0.05}
          help="0 = every class half group A; 1 = as one-sided as designed"
          onChange={(v) => updateConfig({ dataset: { ...synthetic, biasStrength: v } })}
        />
        <NumberField
          label="Group cue"
          value={synthetic.cueStrength}
          min={0}
          max={1}
          step={0.05}
          help="How visible the group is in the image"
          onChange={(v) => updateConfig({ dataset: { ...synthetic, cueStrength: v } })}
        />
        <NumberField
          label="Label noise"
          value={synthetic.labelNoise}
          min={0}
          max={0.49}
          step={0.01}
          onChange={(v) => updateConfig({ dataset: { ...synthetic, labelNoise: v } })}
        />
        <label
          className="field"
          title="Pairs: the first design (tint and corner mark). Shortcut: a faint detail, a frame cue and counterfactual twins."
        >
          <span>Design</span>
          <select
            value={synthetic.design ?? 'pairs'}
            data-testid="design"
            onChange={(e) => {
              const design = e.target.value as 'pairs' | 'shortcut';
              // The shortcut design's own settings go with it.
              const { hiddenDetail: _h, detailContrast: _c, ...rest } = synthetic;
              updateConfig({ dataset: design === 'shortcut' ? { ...synthetic, design } : { ...rest, design } });
            }}
          >
            <option value="pairs">Pairs</option>
            <option value="shortcut">Shortcut (counterfactual twins)</option>
          </select>
        </label>
        {synthetic.design === 'shortcut' && (
          <>
            <NumberField
              label="Hidden detail"
              value={synthetic.hiddenDetail ?? 0}
              min={0}
              max={1}
              step={0.05}
              testId="hidden-detail"
              help="Share of a leaning pair's images drawn without their telling detail: there only the group is left, even for the teacher"
              onChange={(v) => updateConfig({ dataset: { ...synthetic, hiddenDetail: v } })}
            />
            <NumberField
              label="Detail contrast"
              value={synthetic.detailContrast ?? 1}
              min={0.05}
              max={4}
              step={0.05}
              testId="detail-contrast"
              help="Scales the telling detail's contrast: lower is harder to read for every model"
              onChange={(v) => updateConfig({ dataset: { ...synthetic, detailContrast: v } })}
            />
          </>
        )}
        <NumberField
          label="Data seed"
          value={synthetic.seed}
          step={1}
          onChange={(v) => updateConfig({ dataset: { ...synthetic, seed: v } })}
        />
      </div>
    </fieldset>
  );
}
