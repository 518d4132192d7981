import { useState } from 'react';
import { modelPreset } from '../engine/models/architectures';
import { engineRequest, useLab } from '../store/labStore';
import type { LoadedWeights } from '../worker/weightFiles';
import type { Top5Entry } from '../engine/weights/imagenetTop5';
import { formatBytes } from './format';
import type { ExperimentConfig, WeightFileRef } from '../engine/types';

/**
 * For torchvision's B0/B3: start the model from a weight file the user has (torchvision's .pth or timm's
 * model.safetensors). The worker reads and checks the whole file before it keeps anything; the setup then
 * names the file by name, size and SHA-256, and the run starts from it with a new head for the classes.
 */
/** The setup's weight files with `role`'s replaced (or dropped, without `ref`); undefined when none is left. */
export function withWeights(
  pretrained: ExperimentConfig['pretrained'],
  role: 'teacher' | 'student',
  ref: WeightFileRef | undefined,
): ExperimentConfig['pretrained'] {
  const { [role]: _replaced, ...others } = pretrained ?? {};
  const next = ref ? { ...others, [role]: ref } : others;
  return Object.keys(next).length ? next : undefined;
}

export function WeightFilePicker({ role }: { role: 'teacher' | 'student' }) {
  const { config, updateConfig } = useLab();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [loaded, setLoaded] = useState<LoadedWeights | null>(null);
  const [sees, setSees] = useState<Top5Entry[] | null>(null);
  const modelId = role === 'teacher' ? config.teacherModel : config.studentModel;
  if (!modelPreset(modelId).torchvision || (role === 'teacher' && config.teacherImport)) return null;
  const current = config.pretrained?.[role];
  const set = (ref: WeightFileRef | undefined) =>
    updateConfig({ pretrained: withWeights(config.pretrained, role, ref) });
  const check = async (image: File | undefined) => {
    if (!image || !current) return;
    setBusy(true);
    setError(null);
    try {
      setSees(
        await engineRequest<Top5Entry[]>({
          kind: 'checkWeights',
          weights: { name: current.name, sha256: current.sha256, model: modelId },
          image,
        }),
      );
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const pick = async (file: File | undefined) => {
    if (!file) return;
    setBusy(true);
    setError(null);
    try {
      const w = await engineRequest<LoadedWeights>({ kind: 'importWeights', file, model: modelId });
      setLoaded(w);
      setSees(null);
      set({ name: w.name, bytes: w.bytes, sha256: w.sha256 });
    } catch (e) {
      setError((e as Error).message); // the setup keeps what it had: nothing of the refused file is kept
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="weights" data-testid={`weights-${role}`}>
      {current ? (
        <p className="muted" data-testid={`weights-${role}-loaded`}>
          Starts from {current.name} ({formatBytes(current.bytes)}, SHA-256 {current.sha256.slice(0, 12)}…)
          {loaded?.sha256 === current.sha256
            ? ` — ${loaded.keyNames}'s key names; its ${loaded.fileClasses}-class head is replaced by one for this dataset's classes.`
            : '.'}{' '}
          <button type="button" className="link" onClick={() => set(undefined)}>
            Start at random instead
          </button>
        </p>
      ) : null}
      {current && loaded?.sha256 === current.sha256 && loaded.fileClasses === 1000 && (
        <label className="field">
          <span>Check: what these weights see in a photo</span>
          <input
            type="file"
            accept="image/jpeg,image/png,image/webp"
            data-testid={`weights-${role}-photo`}
            onChange={(e) => void check(e.target.files?.[0])}
          />
        </label>
      )}
      {sees && (
        <p className="muted" data-testid={`weights-${role}-sees`}>
          These weights see: {sees.map((t) => `${t.name} ${(100 * t.probability).toFixed(1)}%`).join(', ')}
        </p>
      )}
      {current ? null : (
        <label className="field">
          <span>{role === 'teacher' ? 'Teacher' : 'Student'} weights (optional)</span>
          <input
            type="file"
            accept=".pth,.pt,.safetensors"
            disabled={busy}
            data-testid={`weights-${role}-file`}
            onChange={(e) => void pick(e.target.files?.[0])}
          />
        </label>
      )}
      {busy && (
        <p className="muted" role="status">
          Reading and checking the weight file…
        </p>
      )}
      {error && (
        <p className="warning-text" role="alert" data-testid={`weights-${role}-error`}>
          {error}
        </p>
      )}
    </div>
  );
}
