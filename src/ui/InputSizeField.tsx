import type { ExperimentConfig } from '../engine/types';

/** Input sizes below a stored photo size: the usual crops of 256 (224) and 320 (300), and smaller ones. */
const INPUT_SIZES = [8, 12, 16, 24, 32, 48, 64, 96, 112, 128, 160, 192, 224, 256, 288, 300];

/**
 * The size the models see for imported photos (config.inputSize): the stored size, or a smaller one —
 * evaluation then reads the photos' center and training resizes each crop to it (torchvision's Resize +
 * CenterCrop, RandomResizedCrop).
 */
export function InputSizeField({
  config,
  onChange,
}: {
  config: ExperimentConfig;
  onChange: (inputSize: number | undefined) => void;
}) {
  return (
    <label className="field">
      <span>Input size</span>
      <select
        value={config.inputSize ?? 0}
        onChange={(e) => onChange(Number(e.target.value) || undefined)}
        data-testid="input-size"
        title="The size the models see: the stored photos' center, and crops resized to it while training"
      >
        <option value={0}>as stored ({config.dataset.size} px)</option>
        {INPUT_SIZES.filter((v) => v < config.dataset.size).map((v) => (
          <option key={v} value={v}>
            {v} px
          </option>
        ))}
      </select>
    </label>
  );
}
