import { useState } from 'react';
import { InputSizeField } from './InputSizeField';
import { METHOD_INFO as METHODS, withDefaults } from '../engine/distill/catalog';
import { MODEL_PRESETS } from '../engine/models/architectures';
import { methodChoice, PRESET_COST, type PresetName } from '../engine/presets';
import { duplicateNotes, uniqueValues, validateExperiment } from '../engine/plan';
import { plainNumber } from '../engine/options';
import { validateSyntheticConfig } from '../engine/data/synthetic';
import type { MethodId } from '../engine/types';
import { useLab } from '../store/labStore';
import { AdversarySettings } from './AdversarySettings';
import { DistillBar } from './DistillBar';
import { NumberField } from './NumberField';
import { setupLink } from '../store/urlConfig';
import { url } from '../store/engine';
import { DatasetPanel } from './DatasetPanel';
import { BuiltInDatasetSettings } from './BuiltInDatasetSettings';
import { TeacherImport } from './TeacherImport';
import { WeightFilePicker, withWeights } from './WeightFilePicker';

function parseLambdas(text: string): number[] | null {
  const parts = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  // The option table's rule: "0x10" or "Infinity" are not λ values here either.
  const values = parts.map(plainNumber);
  return parts.length && values.every((v) => Number.isFinite(v) && v >= 0) ? values : null;
}

export function SetupPanel() {
  const { preset, config, status, setPreset, updateConfig, distill, distillSeeds, backend, backendError } = useLab();
  // Seeds a click runs: the setup's seed and the ones after it, each stored as a run of its own.
  const [seedCount, setSeedCount] = useState(1);
  const settling = !backend && !backendError;
  const noGpu = backend && (backend.name === 'wasm' || backend.name === 'cpu');
  const [lambdaText, setLambdaText] = useState(config.lambdas.join(', '));
  // λ set from elsewhere ("Use this setup", a preset): the field follows, unless it already reads them.
  const [shownLambdas, setShownLambdas] = useState(config.lambdas);
  if (shownLambdas !== config.lambdas) {
    setShownLambdas(config.lambdas);
    const typed = parseLambdas(lambdaText);
    if (!typed || uniqueValues(typed).values.join() !== config.lambdas.join()) setLambdaText(config.lambdas.join(', '));
  }
  const running = status !== 'idle';
  const selected = new Set(config.methods.map((m) => m.id));
  const lambdas = parseLambdas(lambdaText);
  const synthetic = config.dataset.kind === 'synthetic' ? config.dataset : null;
  const errors = [...(synthetic ? validateSyntheticConfig(synthetic) : []), ...validateExperiment(config)];
  if (!lambdas) errors.push('λ values: a comma-separated list of numbers ≥ 0, e.g. 0, 0.5, 1.');
  // A λ typed twice is trained once: say so beside the field rather than drop it silently.
  const notes = lambdas ? duplicateNotes({ lambdas, methods: config.methods, sweeps: config.sweeps }) : [];
  // The link carries what the address bar does: the setup, and a forced backend, threads or charts=0.
  const link = setupLink(
    { preset, config, charts: url.charts, backend: url.backend, threads: url.threads },
    location.pathname,
  );

  const toggleMethod = (id: MethodId, on: boolean) => {
    const methods = on ? [...config.methods, methodChoice(preset, id)] : config.methods.filter((m) => m.id !== id);
    const order = METHODS.map((m) => m.id);
    updateConfig({ methods: methods.sort((a, b) => order.indexOf(a.id) - order.indexOf(b.id)) });
  };
  const setParam = (id: MethodId, key: string, v: number) => {
    updateConfig({
      methods: config.methods.map((m) => (m.id === id ? { ...m, params: { ...m.params, [key]: v } } : m)),
    });
  };

  return (
    // The lab checks the setup itself (errors listed below): the browser's own checks (a value off an
    // input's step) would block Distill without a word.
    <form
      noValidate
      className="setup"
      onSubmit={(e) => {
        e.preventDefault();
        if (errors.length) return;
        if (seedCount > 1) distillSeeds(Array.from({ length: seedCount }, (_, i) => config.seed + i));
        else distill();
      }}
      aria-label="Experiment setup"
    >
      <fieldset disabled={running}>
        <legend>Preset</legend>
        <label className="field">
          <span>Experiment</span>
          <select
            value={preset}
            data-testid="preset"
            onChange={(e) => {
              setPreset(e.target.value as PresetName);
              setLambdaText(useLab.getState().config.lambdas.join(', '));
            }}
          >
            <option value="quick">Quick story — {PRESET_COST.quick.cpu}</option>
            <option value="lab">
              Lab, the study’s story — {PRESET_COST.lab.cpu}
              {PRESET_COST.lab.gpu ? `, ${PRESET_COST.lab.gpu} on a GPU` : ' (not yet timed on a GPU)'}
            </option>
            <option value="tiny">Tiny — {PRESET_COST.tiny.cpu}, for tests</option>
          </select>
        </label>
        {noGpu && preset === 'lab' && (
          <p className="warning" data-testid="no-gpu-hint">
            No GPU here ({backend.name}): the Lab preset takes {PRESET_COST.lab.cpu} (the estimate below is timed on
            this machine). The Quick story shows the student taking the shortcut and the adversary removing it in{' '}
            {PRESET_COST.quick.cpu.replace(' on a 2-core CPU', '')}.
          </p>
        )}
      </fieldset>

      <DatasetPanel />
      {synthetic && <BuiltInDatasetSettings synthetic={synthetic} running={running} />}

      <fieldset disabled={running}>
        <legend>Models</legend>
        {(['teacherModel', 'studentModel'] as const).map((k) => (
          <div key={k}>
            <label className="field">
              <span>{k === 'teacherModel' ? 'Teacher' : 'Student'}</span>
              <select
                value={config[k]}
                data-testid={k === 'teacherModel' ? 'teacher-model' : 'student-model'}
                onChange={(e) => {
                  // Another model does not take the weight file chosen for this one.
                  const role = k === 'teacherModel' ? 'teacher' : 'student';
                  updateConfig({ [k]: e.target.value, pretrained: withWeights(config.pretrained, role, undefined) });
                }}
              >
                {MODEL_PRESETS.map((m) => (
                  <option key={m.id} value={m.id} title={m.description}>
                    {m.label}
                  </option>
                ))}
              </select>
            </label>
            <WeightFilePicker role={k === 'teacherModel' ? 'teacher' : 'student'} />
          </div>
        ))}
        <div className="grid2">
          <NumberField
            label="Teacher epochs"
            value={config.teacherEpochs}
            min={1}
            step={1}
            testId="teacher-epochs"
            onChange={(v) => updateConfig({ teacherEpochs: v })}
          />
          <NumberField
            label="Student epochs"
            value={config.studentEpochs}
            min={1}
            step={1}
            testId="student-epochs"
            onChange={(v) => updateConfig({ studentEpochs: v })}
          />
          <NumberField
            label="Batch size"
            value={config.batchSize}
            min={2}
            step={1}
            onChange={(v) => updateConfig({ batchSize: v })}
          />
          <NumberField
            label="Learning rate"
            value={config.learningRate}
            min={0}
            step={0.0005}
            onChange={(v) => updateConfig({ learningRate: v })}
          />
          <label className="field">
            <span>Optimizer</span>
            <select
              value={config.optimizer ?? 'adam'}
              onChange={(e) => updateConfig({ optimizer: e.target.value as 'adam' | 'sgd' })}
              data-testid="optimizer"
            >
              <option value="adam">Adam</option>
              <option value="sgd">SGD</option>
            </select>
          </label>
          <label className="field">
            <span>Augmentation</span>
            <select
              value={config.augment ?? 'off'}
              onChange={(e) => updateConfig({ augment: e.target.value as 'off' | 'crop+flip' })}
              data-testid="augment"
              title="Random-resized crops and flips while training (photos only: the built-in data refuses it)"
            >
              <option value="off">Off</option>
              <option value="crop+flip">Crop + flip (photos)</option>
            </select>
          </label>
          {!synthetic && <InputSizeField config={config} onChange={(inputSize) => updateConfig({ inputSize })} />}
          <NumberField label="Seed" value={config.seed} step={1} onChange={(v) => updateConfig({ seed: v })} />
        </div>
        <TeacherImport />
        <label className="check">
          <input
            type="checkbox"
            checked={config.baseline}
            onChange={(e) => updateConfig({ baseline: e.target.checked })}
          />{' '}
          Also train the student from labels alone (the reference)
        </label>
      </fieldset>

      <fieldset disabled={running}>
        <legend>Distillation methods</legend>
        {METHODS.filter((m) => m.id !== 'none').map((m) => {
          const choice = config.methods.find((c) => c.id === m.id);
          const params = withDefaults(m, choice?.params);
          return (
            <div className="method" key={m.id}>
              <label className="check">
                <input
                  type="checkbox"
                  checked={selected.has(m.id)}
                  data-testid={`method-${m.id}`}
                  onChange={(e) => toggleMethod(m.id, e.target.checked)}
                />
                <span>
                  <strong>{m.short}</strong> — {m.label}
                </span>
              </label>
              {choice && m.params.length > 0 && (
                <details>
                  <summary>Hyper-parameters</summary>
                  <div className="grid2">
                    {m.params.map((p) => (
                      <NumberField
                        key={p.key}
                        label={`${p.label} (default ${p.default})`}
                        value={params[p.key]}
                        min={p.min}
                        max={p.max}
                        step={p.step}
                        help={p.help}
                        onChange={(v) => setParam(m.id, p.key, v)}
                      />
                    ))}
                  </div>
                  <SweepField method={m.id} />
                </details>
              )}
            </div>
          );
        })}
      </fieldset>

      <fieldset disabled={running}>
        <legend>Debiasing</legend>
        <label
          className="field"
          title="Weight of the adversary's pull; 0 = no debiasing. One student is trained per method and λ."
        >
          <span>λ values</span>
          <input
            type="text"
            value={lambdaText}
            data-testid="lambdas"
            aria-invalid={!lambdas}
            onChange={(e) => {
              setLambdaText(e.target.value);
              const v = parseLambdas(e.target.value);
              if (v) updateConfig({ lambdas: uniqueValues(v).values });
            }}
          />
        </label>
        <AdversarySettings />
      </fieldset>

      {notes.length > 0 && (
        <ul className="form-notes" role="status" data-testid="form-notes">
          {notes.map((n) => (
            <li key={n}>{n}</li>
          ))}
        </ul>
      )}
      {errors.length > 0 && (
        <ul className="form-errors" role="alert" data-testid="form-errors">
          {errors.map((e) => (
            <li key={e}>{e}</li>
          ))}
        </ul>
      )}
      {/* The estimate rides with Distill at the foot of the setup: seen where the click is, never behind it. */}
      <DistillBar seedCount={seedCount} setSeedCount={setSeedCount} blocked={settling || errors.length > 0} />
      <p className="muted">
        <a href={link.url} data-testid="share-setup">
          Link to this setup
        </a>{' '}
        (opens the lab with these settings)
        {link.leftOut.length > 0 && (
          <span className="warning-text" data-testid="link-left-out">
            {' '}
            — too long for an address: {link.leftOut.join(', ')} left out (export the run to share it whole).
          </span>
        )}
      </p>
    </form>
  );
}

/**
 * One hyper-parameter of a method given several values ("1, 2, 4, 8"): each value is a student of its
 * own (× every λ), a line of its own in the charts, and with λ a surface in the 3D view.
 */
/** The numbers a values field holds as typed so far ("1, 2," is 1 and 2: a trailing comma is work in progress). */
function typedValues(text: string): number[] {
  return text
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean)
    .map(plainNumber);
}

function SweepField({ method }: { method: MethodId }) {
  const { config, updateConfig } = useLab();
  const def = METHODS.find((m) => m.id === method)!;
  const current = config.sweeps?.find((w) => w.method === method);
  const [param, setParam] = useState(current?.param ?? '');
  const [text, setText] = useState(current?.values.join(', ') ?? '');
  // A sweep set from elsewhere ("Use this setup", a link): the fields follow it.
  const [shown, setShown] = useState(config.sweeps);
  if (shown !== config.sweeps) {
    setShown(config.sweeps);
    if (
      current &&
      (current.param !== param || current.values.join() !== uniqueValues(typedValues(text)).values.join())
    ) {
      setParam(current.param);
      setText(current.values.join(', '));
    }
  }
  const others = (config.sweeps ?? []).filter((w) => w.method !== method);
  const bad = param !== '' && text.split(',').some((x) => x.trim() !== '' && !Number.isFinite(plainNumber(x.trim())));
  const apply = (key: string, values: string) => {
    const nums = typedValues(values);
    const ok = key !== '' && nums.length > 0 && nums.every(Number.isFinite);
    const sweeps = ok ? [...others, { method, param: key, values: uniqueValues(nums).values }] : others;
    updateConfig({ sweeps: sweeps.length ? sweeps : undefined });
  };
  return (
    <div className="grid2 sweep" data-testid={`sweep-${method}`}>
      <label className="field" title="Train one student per value of this hyper-parameter (and per λ)">
        <span>Sweep</span>
        <select
          value={param}
          data-testid={`sweep-param-${method}`}
          onChange={(e) => {
            setParam(e.target.value);
            apply(e.target.value, text);
          }}
        >
          <option value="">no sweep</option>
          {def.params.map((p) => (
            <option key={p.key} value={p.key}>
              {p.label}
            </option>
          ))}
        </select>
      </label>
      <label className="field">
        <span>Values</span>
        <input
          type="text"
          value={text}
          placeholder="e.g. 1, 2, 4, 8"
          disabled={param === ''}
          data-testid={`sweep-values-${method}`}
          aria-invalid={bad}
          onChange={(e) => {
            setText(e.target.value);
            apply(param, e.target.value);
          }}
        />
      </label>
      {bad && (
        <p className="warning-text" role="alert">
          Sweep values: a comma-separated list of numbers, e.g. 1, 2, 4, 8 (until then no sweep is planned).
        </p>
      )}
    </div>
  );
}
