/** A labelled number input with its range and a one-line help (setup panels). */
export function NumberField({
  label,
  value,
  onChange,
  min,
  max,
  step,
  help,
  testId,
}: {
  label: string;
  value: number;
  onChange: (v: number) => void;
  min?: number;
  max?: number;
  step?: number;
  help?: string;
  testId?: string;
}) {
  return (
    <label className="field" title={help}>
      <span>{label}</span>
      <input
        type="number"
        value={Number.isFinite(value) ? value : ''}
        min={min}
        max={max}
        step={step ?? 'any'}
        data-testid={testId}
        onChange={(e) => onChange(e.target.value === '' ? NaN : Number(e.target.value))}
      />
    </label>
  );
}
