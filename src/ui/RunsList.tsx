import { useRef, useState } from 'react';
import { exportRunsJson, resultCsv } from '../analysis/runFiles';
import type { StoredRun } from '../engine/types';
import { ownModels, useLab } from '../store/labStore';
import { downloadText, fileStem } from './download';
import { formatBytes, pct } from './format';

function RunName({ id, name, onOpen, disabled }: { id: string; name: string; onOpen: () => void; disabled: boolean }) {
  const renameRun = useLab((s) => s.renameRun);
  const [editing, setEditing] = useState(false);
  const [value, setValue] = useState(name);
  if (!editing) {
    return (
      <>
        <button type="button" className="link" onClick={onOpen} disabled={disabled} data-testid="open-run">
          {name}
        </button>
        <button
          type="button"
          className="icon"
          aria-label={`Rename ${name}`}
          title="Rename"
          onClick={() => {
            setValue(name);
            setEditing(true);
          }}
        >
          ✎
        </button>
      </>
    );
  }
  const save = () => {
    setEditing(false);
    void renameRun(id, value);
  };
  return (
    <input
      className="rename"
      aria-label="Run name"
      value={value}
      autoFocus
      data-testid="rename-input"
      onChange={(e) => setValue(e.target.value)}
      onBlur={save}
      onKeyDown={(e) => {
        if (e.key === 'Enter') save();
        if (e.key === 'Escape') setEditing(false);
      }}
    />
  );
}

/** What a run takes in this browser: its record, and the weights of the models saved under it. */
function storage(r: StoredRun): string {
  const record = JSON.stringify(r.result).length;
  const models = ownModels(r.id, [r.result.teacher, ...r.result.students]).reduce((n, m) => n + m.size.bytesFloat32, 0);
  return models ? `${formatBytes(record)} results + ${formatBytes(models)} models` : `${formatBytes(record)} results`;
}

export function RunsList() {
  const { runs, selectRun, removeRun, status, currentRunId, result, importRuns } = useLab();
  const fileInput = useRef<HTMLInputElement>(null);
  const [note, setNote] = useState<string | null>(null);
  const current = runs.find((r) => r.id === currentRunId);
  const onImport = async (file: File | undefined) => {
    if (!file) return;
    const added = await importRuns(await file.text());
    setNote(added > 0 ? `Imported ${added} run${added === 1 ? '' : 's'} from ${file.name}.` : null);
    if (fileInput.current) fileInput.current.value = '';
  };
  return (
    <section className="card">
      <div className="card-head">
        <h2>Stored runs</h2>
        <div className="toggles">
          <button
            type="button"
            className="secondary"
            disabled={runs.length === 0}
            data-testid="export-json"
            onClick={() =>
              downloadText(`fairdistill-runs-${new Date().toISOString().slice(0, 10)}.json`, exportRunsJson(runs))
            }
          >
            Export all (JSON)
          </button>
          <button
            type="button"
            className="secondary"
            disabled={!result}
            data-testid="export-csv"
            onClick={() =>
              result && downloadText(`${fileStem(current?.name ?? 'results')}.csv`, resultCsv(result), 'text/csv')
            }
          >
            Table (CSV)
          </button>
          <label className="button secondary">
            Import…
            <input
              ref={fileInput}
              type="file"
              accept="application/json,.json"
              className="visually-hidden"
              data-testid="import-runs"
              onChange={(e) => void onImport(e.target.files?.[0])}
            />
          </label>
        </div>
      </div>
      {note && (
        <p className="muted" role="status">
          {note}
        </p>
      )}
      {runs.length === 0 ? (
        <p className="muted">No finished run yet. Click “Distill”.</p>
      ) : (
        <ul className="runs" data-testid="runs-list">
          {runs.map((r) => (
            <li key={r.id} data-testid="stored-run" className={r.id === currentRunId ? 'current' : ''}>
              <RunName id={r.id} name={r.name} onOpen={() => selectRun(r.id)} disabled={status !== 'idle'} />
              <span className="muted">
                {' '}
                teacher {pct(r.result.teacher.test.accuracy)}% · {r.result.students.length} students ·{' '}
                {r.result.backend.name} · {storage(r)}
              </span>
              <button
                type="button"
                className="icon"
                aria-label={`Delete ${r.name}`}
                onClick={() => {
                  if (confirm(`Delete “${r.name}”? Its results cannot be recovered.`)) void removeRun(r.id);
                }}
              >
                ✕
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
