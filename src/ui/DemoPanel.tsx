import { useEffect, useMemo, useState } from 'react';
import { studentsOf } from '../analysis/compare';
import { seriesOf } from '../engine/plan';
import { recommendedLambda } from '../store/runsSlice';
import { modelCard, modelCardMarkdown } from '../analysis/modelCard';
import type { ExperimentResult, ModelResult } from '../engine/types';
import { engineRequest, useLab } from '../store/labStore';
import type { Disagreement, ExportedModel, PhotoVersion, Typicality } from '../worker/protocol';
import { strToU8, zipSync } from 'fflate';
import { download, fileStem } from './download';
import { PhotoReading } from './PhotoReading';
import { PixelImage } from './PixelImage';

/**
 * λ = 0 of the slider's series (else any λ = 0 student) vs the same series at its recommended λ — the
 * λ the slider opens on and the recommendation names — else the least biased debiased student.
 */
function defaults(result: ExperimentResult, series?: string): { plain?: ModelResult; debiased?: ModelResult } {
  const saved = studentsOf(result).filter((s) => s.modelKey);
  const own = (s: ModelResult) => series !== undefined && seriesOf(s) === series;
  const plain = saved.find((s) => s.lambda === 0 && own(s)) ?? saved.find((s) => s.lambda === 0);
  const lambda = series === undefined ? undefined : recommendedLambda(result, series);
  const debiased =
    saved.find((s) => own(s) && s.lambda > 0 && s.lambda === lambda) ??
    saved
      .filter((s) => s.lambda > 0)
      .sort((a, b) => (a.fairness.meanAbsDisparity ?? Infinity) - (b.fairness.meanAbsDisparity ?? Infinity))[0];
  return { plain, debiased };
}

export function DemoPanel() {
  const result = useLab((s) => s.result);
  const view = useLab((s) => s.view);
  const saved = useMemo(() => (result ? [result.teacher, ...result.students].filter((m) => m.modelKey) : []), [result]);
  // The students shown start from the slider's method when a run opens; moving the slider later keeps the user's choice.
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const initial = useMemo(() => (result ? defaults(result, view?.series) : {}), [result]);
  const [plainLabel, setPlainLabel] = useState<string>('');
  const [debiasedLabel, setDebiasedLabel] = useState<string>('');
  const [predictions, setPredictions] = useState<PhotoVersion[] | null>(null);
  const [typical, setTypical] = useState<Typicality | string | null>(null);
  const [preview, setPreview] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [gallery, setGallery] = useState<Disagreement[] | null>(null);
  const [exportLabel, setExportLabel] = useState<string>('');
  /** The photo on screen: choosing other students asks them about the same photo. */
  const [photo, setPhoto] = useState<File | null>(null);

  // Another run opened: start over from its defaults (state adjusted while rendering, as React advises).
  const [shownFor, setShownFor] = useState<typeof initial | null>(null);
  if (shownFor !== initial) {
    setShownFor(initial);
    setPlainLabel(initial.plain?.label ?? '');
    setDebiasedLabel(initial.debiased?.label ?? '');
    setExportLabel(initial.debiased?.label ?? initial.plain?.label ?? '');
    setPredictions(null);
    setTypical(null);
    setGallery(null);
    setError(null);
    setPhoto(null);
  }
  useEffect(
    () => () => {
      if (preview) URL.revokeObjectURL(preview);
    },
    [preview],
  );

  if (!result) return null;
  if (saved.length === 0)
    return (
      <section className="card" data-testid="demo-no-models">
        <h2>Photo demo</h2>
        <p className="muted">
          This run has no saved models — it was imported from an export (an export carries figures, not models), or its
          models were deleted — so there is nothing to ask about a photo or to download. Train the setup in this browser
          (“This run’s setup” → Use this setup → Distill) to get models.
        </p>
      </section>
    );
  const byLabel = (l: string) => saved.find((m) => m.label === l);
  const plain = byLabel(plainLabel),
    debiased = byLabel(debiasedLabel);
  // The models that answer for a photo, by role: the teacher and the two chosen students.
  const rolesFor = (labels: { plain: string; debiased: string }): [string, ModelResult | undefined][] => [
    ['teacher', result.teacher.modelKey ? result.teacher : undefined],
    ['plain', byLabel(labels.plain)],
    ['debiased', byLabel(labels.debiased)],
  ];
  const roles = rolesFor({ plain: plainLabel, debiased: debiasedLabel });
  const students = saved.filter((m) => m.role !== 'teacher');
  const builtIn = result.config.dataset.kind === 'synthetic' && result.config.dataset.design === 'shortcut';

  const onFile = async (file: File | undefined, labels = { plain: plainLabel, debiased: debiasedLabel }) => {
    if (!file) return;
    setBusy(true);
    setError(null);
    try {
      const models = rolesFor(labels).flatMap(([, m]) => (m ? [{ key: m.modelKey!, label: m.label }] : []));
      const dataset = result.config.dataset;
      const out = await engineRequest<PhotoVersion[]>({
        kind: 'predict',
        image: file,
        name: file.name,
        size: dataset.size,
        models,
        ...(builtIn && dataset.kind === 'synthetic'
          ? { cue: { cueStrength: dataset.cueStrength, groupNames: result.dataset.groupNames } }
          : {}),
      });
      setPredictions(out);
      if (file !== photo) {
        setPreview(URL.createObjectURL(file));
        setTypical(null);
        // How far the photo is from the training images, as the teacher sees it (after the answers).
        if (result.teacher.modelKey)
          engineRequest<Typicality>({
            kind: 'typicality',
            image: file,
            name: file.name,
            size: dataset.size,
            teacher: result.teacher.modelKey,
            datasetKey: result.dataset.key,
          }).then(setTypical, (e: unknown) => setTypical(e instanceof Error ? e.message : String(e)));
      }
      setPhoto(file);
    } catch (e) {
      // No answer for this photo: the previous one's predictions go too (runs and models stay).
      setPredictions(null);
      setPhoto(null);
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const findDisagreements = async () => {
    if (!plain || !debiased) return;
    setBusy(true);
    setError(null);
    try {
      setGallery(
        await engineRequest<Disagreement[]>({
          kind: 'disagreements',
          datasetKey: result.dataset.key,
          a: plain.modelKey!,
          b: debiased.modelKey!,
          limit: 24,
        }),
      );
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const exportModel = async () => {
    const m = byLabel(exportLabel);
    if (!m) return;
    setBusy(true);
    setError(null);
    try {
      const art = await engineRequest<ExportedModel>({ kind: 'exportModel', key: m.modelKey! });
      const stem = fileStem(`fairdistill-${m.label}`);
      const modelJson = {
        modelTopology: art.modelTopology,
        format: art.format ?? 'layers-model',
        generatedBy: art.generatedBy,
        convertedBy: art.convertedBy ?? null,
        weightsManifest: [{ paths: [`${stem}.weights.bin`], weights: art.weightSpecs }],
      };
      const card = modelCard(result, m);
      // One download: the tfjs files (loadable with tf.loadLayersModel once unpacked) and the model card.
      const text = (s: string) => strToU8(s);
      const zip = zipSync({
        [`${stem}.json`]: text(JSON.stringify(modelJson)),
        [`${stem}.weights.bin`]: new Uint8Array(art.weightData),
        [`${stem}.card.json`]: text(JSON.stringify(card, null, 1)),
        [`${stem}.card.md`]: text(modelCardMarkdown(card)),
      });
      download(`${stem}.zip`, zip, 'application/zip');
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const names = result.dataset.classNames;
  const picker = (value: string, role: 'plain' | 'debiased', label: string, testid: string) => (
    <label>
      {label}{' '}
      <select
        value={value}
        onChange={(e) => {
          const labels = { plain: plainLabel, debiased: debiasedLabel, [role]: e.target.value };
          (role === 'plain' ? setPlainLabel : setDebiasedLabel)(e.target.value);
          setGallery(null);
          // The photo stays: the newly chosen student answers for it beside the others.
          if (photo) void onFile(photo, labels);
          else setPredictions(null);
        }}
        data-testid={testid}
      >
        {/* "Debiased" means an adversary pulled on it: only students trained at λ > 0. */}
        {students
          .filter((m) => role === 'plain' || m.lambda > 0)
          .map((m) => (
            <option key={m.label} value={m.label}>
              {m.label}
            </option>
          ))}
      </select>
    </label>
  );

  return (
    <section className="card" data-testid="demo-panel">
      <div className="card-head">
        <h2>Photo demo</h2>
        <div className="toggles">
          {picker(plainLabel, 'plain', 'Plain', 'demo-plain')}
          {picker(debiasedLabel, 'debiased', 'Debiased', 'demo-debiased')}
        </div>
      </div>
      <label
        className="dropzone"
        data-busy={busy}
        onDragOver={(e) => e.preventDefault()}
        onDrop={(e) => {
          e.preventDefault();
          void onFile(e.dataTransfer.files[0]);
        }}
      >
        <input
          type="file"
          accept="image/png,image/jpeg,image/webp"
          className="visually-hidden"
          data-testid="demo-upload"
          disabled={busy}
          onChange={(e) => {
            void onFile(e.target.files?.[0]);
            e.target.value = '';
          }}
        />
        <span>
          Drop a JPEG, PNG or WebP photo here, or click to choose one. It is center-cropped and resized to{' '}
          {result.config.dataset.size}×{result.config.dataset.size} like the training images; it never leaves this page.
        </span>
      </label>
      {error && (
        <p className="demo-error" role="alert" data-testid="demo-error">
          {error}
        </p>
      )}
      {builtIn && (
        <p className="muted" data-testid="demo-builtin-note">
          These models know only the built-in classes ({names.join(', ')}): for a real photo their answers say which of
          those it most resembles, nothing more. The photo is shown twice, with each group’s cue (the warm or cool
          frame) painted on — a model that relies on the group changes its answer between the two.
        </p>
      )}
      {predictions && <PhotoReading typical={typical} versions={predictions} roles={roles} />}
      {predictions && (
        <div className="photo-versions">
          {preview && <img src={preview} alt="The uploaded photo" className="demo-preview" />}
          {predictions.map((v) => (
            <div key={v.name} className="photo-version" data-testid="photo-version" data-group={v.group ?? 'none'}>
              <figure>
                <PixelImage pixels={v.pixels} size={result.config.dataset.size} />
                <figcaption>{v.name}</figcaption>
              </figure>
              <div className="predictions">
                {v.predictions.map((p, i) => {
                  const role = roles.filter(([, m]) => m)[i][0];
                  return (
                    <div
                      key={role}
                      className={`prediction prediction-${role}`}
                      data-testid="prediction-panel"
                      data-role={role}
                    >
                      <h3>
                        {role === 'plain' ? 'Plain student' : role === 'debiased' ? 'Debiased student' : 'Teacher'}{' '}
                        {role !== 'teacher' && <span className="muted">{p.label}</span>}
                      </h3>
                      <ol>
                        {p.top.map((t) => (
                          <li key={t.classIndex} data-testid="prediction-row" data-probability={t.probability}>
                            <span>{names[t.classIndex]}</span>
                            <span className="bar">
                              <span style={{ width: `${(100 * t.probability).toFixed(1)}%` }} />
                            </span>
                            <span className="num">{(100 * t.probability).toFixed(1)}%</span>
                          </li>
                        ))}
                      </ol>
                    </div>
                  );
                })}
              </div>
            </div>
          ))}
        </div>
      )}
      <div className="card-head demo-actions">
        <button
          type="button"
          className="secondary"
          onClick={() => void findDisagreements()}
          disabled={busy || !plain || !debiased}
          data-testid="find-disagreements"
        >
          Test images where the two students disagree
        </button>
        <span className="toggles">
          <label>
            Model{' '}
            <select
              value={exportLabel}
              onChange={(e) => setExportLabel(e.target.value)}
              data-testid="export-model-choice"
            >
              {saved.map((m) => (
                <option key={m.label} value={m.label}>
                  {m.label}
                </option>
              ))}
            </select>
          </label>
          <button
            type="button"
            className="secondary"
            onClick={() => void exportModel()}
            disabled={busy}
            data-testid="export-model"
          >
            Download (tfjs model + card)
          </button>
        </span>
      </div>
      {gallery &&
        (gallery.length === 0 ? (
          <p className="muted" data-testid="gallery-empty">
            The two students agree on every test image.
          </p>
        ) : (
          <div className="gallery" data-testid="gallery">
            {gallery.map((d) => (
              <figure key={d.index} data-testid="gallery-item">
                <PixelImage pixels={d.pixels} size={result.config.dataset.size} />
                <figcaption>
                  <strong>{names[d.label]}</strong> ·{' '}
                  {d.group === 0 || d.group === 1 ? result.dataset.groupNames[d.group] : 'group unknown'}
                  <br />
                  plain: {names[d.a]}
                  <br />
                  debiased: {names[d.b]}
                </figcaption>
              </figure>
            ))}
          </div>
        ))}
    </section>
  );
}
