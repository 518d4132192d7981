import { useCallback, useEffect, useState } from 'react';
import { configFor } from '../store/urlConfig';
import { engineRequest, useLab } from '../store/labStore';
import { sweepsUsingNote } from './sweepsUsingNote';
import type { ImportSummary } from '../worker/folderImport';
import { duration } from './format';
import { withStudySettings } from '../engine/studyProtocol';
import { imagesPerChunk, RESIDENT_CHUNKS } from '../engine/data/pixelChunks';

type Source = 'builtin' | 'csv' | 'wider';
// Up to 320: B3's 300 px and a margin. Larger images are stored in chunks, a few read at a time.
const SIZES = [16, 32, 64, 96, 128, 224, 256, 300, 320];
const mb = (b: number) => `${(b / 1e6).toFixed(1)} MB`;
/** What a run holds of a dataset stored in chunks: RESIDENT_CHUNKS chunks of whole images (the engine's bound). */
const residentBytes = (size: number) => RESIDENT_CHUNKS * imagesPerChunk(size) * size * size * 3;

/** Where the images come from: the built-in generator, a folder with a labels CSV, or a WIDER Attribute copy. */
export function DatasetPanel() {
  const { config, preset, status, updateConfig, importing, cachedDatasets: cached, storageUsage: usage } = useLab();
  const persisted = useLab((s) => s.storagePersisted);
  const loadDatasets = useLab((s) => s.loadDatasets);
  const deleteDataset = useLab((s) => s.deleteDataset);
  const sweepsUsing = useLab((s) => s.sweepsUsing);
  const cancelImport = useLab((s) => s.cancelImport);
  const running = status !== 'idle';
  const [source, setSource] = useState<Source>(config.dataset.kind === 'imported' ? config.dataset.source : 'builtin');
  const [size, setSize] = useState(32);
  const [widerMode, setWiderMode] = useState<'image' | 'person'>('image');
  const [widerClasses, setWiderClasses] = useState<'clusters' | 'scenes'>('clusters');
  const [summary, setSummary] = useState<ImportSummary | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const refresh = useCallback(
    () =>
      loadDatasets().catch((e: unknown) =>
        setError(`The cached datasets could not be listed: ${(e as Error).message}`),
      ),
    [loadDatasets],
  );
  useEffect(() => {
    void refresh();
  }, [refresh]);

  const choose = (s: Source) => {
    setSource(s);
    setError(null);
    if (s === 'builtin') updateConfig({ dataset: configFor(preset).dataset });
  };

  const onFolder = async (files: FileList | null) => {
    if (!files || files.length === 0) return;
    setBusy(true);
    setError(null);
    setSummary(null);
    try {
      const s = await engineRequest<ImportSummary>({
        kind: 'importFolder',
        files: Array.from(files),
        size,
        source: source === 'wider' ? 'wider' : 'csv',
        wider: { mode: widerMode, classes: widerClasses },
        seed: config.seed,
      });
      setSummary(s);
      updateConfig({ dataset: s.config });
      await refresh();
    } catch (e) {
      setError((e as Error).message); // the previous dataset choice stays; nothing half-stored
    } finally {
      setBusy(false);
      useLab.setState({ importing: null });
    }
  };

  const use = (d: (typeof cached)[number]) => {
    if (d.config.kind === 'imported') {
      updateConfig({ dataset: d.config });
      setSummary(null);
    }
  };
  const remove = async (d: (typeof cached)[number]) => {
    const users = await sweepsUsing(d.key);
    if (
      !confirm(
        `Delete the cached dataset “${d.name}” (${mb(d.bytes)})? Runs made with it are kept.${sweepsUsingNote(users)}`,
      )
    )
      return;
    await deleteDataset(
      d.key,
      users.map((u) => u.id),
    );
    if (config.dataset.kind === 'imported' && config.dataset.key === d.key) choose('builtin');
    await refresh();
  };

  return (
    <fieldset disabled={running} data-testid="dataset-panel">
      <legend>Dataset</legend>
      <label className="field">
        <span>Images from</span>
        <select value={source} onChange={(e) => choose(e.target.value as Source)} data-testid="dataset-origin">
          <option value="builtin">Built-in generated dataset (offline, seeded)</option>
          <option value="csv">A folder of images + labels CSV</option>
          <option value="wider">My WIDER Attribute copy</option>
        </select>
      </label>
      {source !== 'builtin' && (
        <>
          <p className="muted">
            {source === 'csv'
              ? 'Pick a folder holding the images and a labels.csv with the columns file, class, group (paths relative to the CSV; an empty group means unknown).'
              : 'Pick the top folder of your copy (wider_attribute_trainval.json, wider_attribute_test.json and Image/). The official trainval/test split is kept; validation comes from trainval.'}{' '}
            Images are decoded here and never leave this browser.
          </p>
          <div className="grid2">
            <label className="field">
              <span>Image size</span>
              <select value={size} onChange={(e) => setSize(Number(e.target.value))} data-testid="import-size">
                {SIZES.map((s) => (
                  <option key={s} value={s}>
                    {s}×{s}
                  </option>
                ))}
              </select>
            </label>
            {source === 'wider' && (
              <>
                <label className="field">
                  <span>Examples</span>
                  <select
                    value={widerMode}
                    onChange={(e) => setWiderMode(e.target.value as 'image' | 'person')}
                    data-testid="wider-mode"
                  >
                    <option value="image">Whole images (group by majority)</option>
                    <option value="person">Person crops (each box)</option>
                  </select>
                </label>
                <label className="field">
                  <span>Classes</span>
                  <select
                    value={widerClasses}
                    onChange={(e) => setWiderClasses(e.target.value as 'clusters' | 'scenes')}
                  >
                    <option value="clusters">16 clusters (the study)</option>
                    <option value="scenes">30 raw scenes</option>
                  </select>
                </label>
              </>
            )}
          </div>
          {source === 'wider' && (
            <p>
              <button
                type="button"
                className="secondary"
                data-testid="use-study"
                onClick={() => {
                  const setup = withStudySettings({ preset, config, charts: true });
                  updateConfig(setup.config);
                  setSize(224);
                  setWiderMode('image');
                  setWiderClasses('clusters');
                }}
              >
                Use the study’s protocol
              </button>{' '}
              <span className="muted">
                B3 → B0 at 224 px on the 16 clusters of whole photos; CKD, RKD, CTKD and KD++ at λ 0, 0.5, 1, 2; Adam
                1e-3, cosine, one head-only epoch, crops and flips; 10 epochs each. Then pick the folder here and the
                two ImageNet weight files under the models.
              </span>
            </p>
          )}
          <label className="button secondary">
            {busy ? 'Loading…' : 'Choose folder…'}
            <input
              type="file"
              className="visually-hidden"
              data-testid="folder-input"
              disabled={busy}
              {...{ webkitdirectory: '', directory: '' }}
              multiple
              onChange={(e) => {
                void onFolder(e.target.files);
                e.target.value = '';
              }}
            />
          </label>
          {importing && (
            <div className="import-progress" data-testid="import-progress">
              <div className="progress-track">
                <div
                  className="progress-fill"
                  style={{ width: `${(100 * importing.done) / Math.max(1, importing.total)}%` }}
                />
              </div>
              <span className="muted">
                {importing.done} / {importing.total} images · {mb(importing.bytes)} read · ETA{' '}
                {duration(importing.etaSeconds)}
                {importing.resumedChunks > 0 &&
                  ` · ${importing.resumedChunks} chunk${importing.resumedChunks === 1 ? '' : 's'} found from an interrupted import`}
              </span>
              <button type="button" className="secondary" onClick={cancelImport} data-testid="import-cancel">
                Cancel import
              </button>
            </div>
          )}
        </>
      )}
      {error && (
        <p className="form-errors" role="alert" data-testid="dataset-error">
          {error}
        </p>
      )}
      {summary && (
        <div data-testid="dataset-summary">
          <p className="muted">
            {summary.config.name}: {summary.config.count} images ({summary.split.train} train · {summary.split.val} val
            · {summary.split.test} test) · {mb(summary.bytes)} cached in {summary.seconds.toFixed(1)} s · a run holds at
            most {mb(Math.min(summary.bytes, residentBytes(summary.config.size)))} of it in memory
          </p>
          <table className="counts" data-testid="dataset-counts">
            <thead>
              <tr>
                <th scope="col">Class</th>
                <th scope="col">{summary.groupNames[0]}</th>
                <th scope="col">{summary.groupNames[1]}</th>
                <th scope="col">unknown</th>
              </tr>
            </thead>
            <tbody>
              {summary.classNames.map((c, i) => (
                <tr key={c}>
                  <th scope="row">{c}</th>
                  {summary.counts[i].map((n, g) => (
                    <td key={g}>{n}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
          {summary.skippedTotal > 0 && (
            <details data-testid="dataset-skipped">
              <summary>{summary.skippedTotal} skipped</summary>
              <ul>
                {summary.skipped.map((s, i) => (
                  <li key={i}>
                    {s.path}: {s.reason}
                  </li>
                ))}
              </ul>
            </details>
          )}
        </div>
      )}
      {config.dataset.kind === 'imported' && !summary && (
        <p className="muted" data-testid="dataset-current">
          Using {config.dataset.name} ({config.dataset.count} images, {config.dataset.size}×{config.dataset.size}).
        </p>
      )}
      {cached.length > 0 && (
        <div className="cached">
          <span className="muted">
            Cached in this browser
            {usage?.usage ? ` (site storage ${mb(usage.usage)}${usage.quota ? ` of ${mb(usage.quota)}` : ''})` : ''}
            {persisted === null
              ? ''
              : persisted
                ? '; the browser keeps it when space runs short'
                : '; best effort: the browser may clear it when space runs short — export runs you need'}
            :
          </span>
          <ul className="runs">
            {cached.map((d) => (
              <li key={d.key} data-testid="cached-dataset">
                <button type="button" className="link" onClick={() => use(d)}>
                  {d.name}
                </button>
                <span className="muted">
                  {d.count} images · {mb(d.bytes)}
                </span>
                <button
                  type="button"
                  className="icon"
                  aria-label={`Delete cached dataset ${d.name}`}
                  onClick={() => void remove(d)}
                >
                  ✕
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}
    </fieldset>
  );
}
