import { useRef, useState } from 'react';
import { exportRunsJson, groupRatesCsv, resultCsv, runsCsv } from '../analysis/runFiles';
import { htmlReport } from './htmlReport';
import type { StoredRun } from '../engine/types';
import { ownModels, useLab } from '../store/labStore';
import { downloadText, fileStem } from './download';
import { PanelBoundary } from './PanelBoundary';
import { formatBytes, pct } from './format';
import { findRuns, parseTags, type RunOrder } from '../analysis/runCollection';

/** A run's notes and tags, edited in place: Save stores them (the worker cleans and keeps them). */
function RunNotes({ run, onDone }: { run: StoredRun; onDone: () => void }) {
  const annotateRun = useLab((s) => s.annotateRun);
  const [notes, setNotes] = useState(run.notes ?? '');
  const [tags, setTags] = useState((run.tags ?? []).join(', '));
  return (
    <div className="run-notes" data-testid="run-notes-editor">
      <label>
        Notes
        <textarea
          value={notes}
          rows={3}
          onChange={(e) => setNotes(e.target.value)}
          data-testid="run-notes-input"
          maxLength={10_000}
        />
      </label>
      <label>
        Tags (comma-separated)
        <input value={tags} onChange={(e) => setTags(e.target.value)} data-testid="run-tags-input" />
      </label>
      <button
        type="button"
        className="secondary"
        data-testid="run-notes-save"
        onClick={() => void annotateRun(run.id, notes, parseTags(tags)).then(onDone)}
      >
        Save
      </button>{' '}
      <button type="button" className="secondary" onClick={onDone}>
        Cancel
      </button>
    </div>
  );
}

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

/** Record sizes of runs stored before the lab noted them, measured once per record, not on every render. */
const measured = new WeakMap<StoredRun, number>();
const recordBytes = (r: StoredRun) => {
  if (r.bytes !== undefined) return r.bytes;
  if (!measured.has(r)) measured.set(r, JSON.stringify(r.result).length);
  return measured.get(r)!;
};

/** What a run takes in this browser: its record, and the weights of the models saved under it. */
function storage(r: StoredRun): string {
  const record = recordBytes(r);
  const models = ownModels(r.id, [r.result.teacher, ...r.result.students]).reduce((n, m) => n + m.size.bytesFloat32, 0);
  return models ? `${formatBytes(record)} results + ${formatBytes(models)} models` : `${formatBytes(record)} results`;
}

/** One stored run in the list: a component of its own, so a record it cannot read fails inside its row's boundary. */
function RunRow({ run, current }: { run: StoredRun; current: boolean }) {
  const { selectRun, removeRun, status, compared, toggleCompared } = useLab();
  const [editing, setEditing] = useState(false);
  return (
    <li data-testid="stored-run" className={current ? 'current' : ''} data-run-id={run.id}>
      <input
        type="checkbox"
        checked={compared.includes(run.id)}
        onChange={() => toggleCompared(run.id)}
        aria-label={`Compare ${run.name} side by side`}
        data-testid="compare-run"
      />
      <RunName id={run.id} name={run.name} onOpen={() => selectRun(run.id)} disabled={status !== 'idle'} />
      <span className="muted">
        {' '}
        teacher {pct(run.result.teacher.test.accuracy)}% · {run.result.students.length} students ·{' '}
        {run.result.backend.name} · {storage(run)}
      </span>
      {(run.tags ?? []).map((t) => (
        <span key={t} className="tag" data-testid="run-tag">
          #{t}
        </span>
      ))}
      <button
        type="button"
        className="icon"
        aria-label={`Notes and tags of ${run.name}`}
        title={run.notes ? `Notes: ${run.notes}` : 'Notes and tags'}
        aria-expanded={editing}
        data-testid="run-notes"
        onClick={() => setEditing(!editing)}
      >
        {run.notes ? '🗒' : '＋'}
      </button>
      <button
        type="button"
        className="icon"
        aria-label={`Delete ${run.name}`}
        onClick={() => {
          if (confirm(`Delete “${run.name}”? Its results cannot be recovered.`)) void removeRun(run.id);
        }}
      >
        ✕
      </button>
      {run.notes && !editing && (
        <p className="run-note muted" data-testid="run-note">
          {run.notes}
        </p>
      )}
      {editing && <RunNotes run={run} onDone={() => setEditing(false)} />}
    </li>
  );
}

export function RunsList() {
  const { runs, removeRun, currentRunId, result, importRuns } = useLab();
  const fileInput = useRef<HTMLInputElement>(null);
  const [note, setNote] = useState<string | null>(null);
  const [query, setQuery] = useState('');
  const [order, setOrder] = useState<RunOrder>('newest');
  const shown = findRuns(runs, query, order);
  const current = runs.find((r) => r.id === currentRunId);
  // The open run's exports share its file name: "<run>.csv", "<run>-by-group.csv", "<run>-report.html".
  const stem = fileStem(current?.name ?? 'results');
  const onImport = async (file: File | undefined) => {
    if (!file) return;
    const { added, alreadyStored } = await importRuns(file);
    const parts = [
      ...(added > 0 ? [`Imported ${added} run${added === 1 ? '' : 's'} from ${file.name}.`] : []),
      ...(alreadyStored > 0 ? [`${alreadyStored} ${alreadyStored === 1 ? 'was' : 'were'} already stored here.`] : []),
    ];
    setNote(parts.length ? parts.join(' ') : null);
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
            onClick={() => result && downloadText(`${stem}.csv`, resultCsv(result), 'text/csv')}
          >
            Table (CSV)
          </button>
          <button
            type="button"
            className="secondary"
            disabled={!result}
            data-testid="export-group-csv"
            title="Per model, class and group: count, true- and false-positive rate, selection rate, and the gaps built from them (Fairlearn’s MetricFrame by group)"
            onClick={() => result && downloadText(`${stem}-by-group.csv`, groupRatesCsv(result), 'text/csv')}
          >
            Rates by group (CSV)
          </button>
          <button
            type="button"
            className="secondary"
            disabled={!result}
            data-testid="export-report"
            title="This run as one HTML file: the takeaway, every column of the table, the disparities, the charts as drawn here and the setup; opens offline, no script"
            onClick={() =>
              void htmlReport(document, current?.name ?? 'FairDistill Lab run').then((html) =>
                downloadText(`${stem}-report.html`, html, 'text/html'),
              )
            }
          >
            Report (HTML)
          </button>
          <button
            type="button"
            className="secondary"
            disabled={runs.length === 0}
            data-testid="export-all-csv"
            onClick={() =>
              downloadText(`fairdistill-runs-${new Date().toISOString().slice(0, 10)}.csv`, runsCsv(runs), 'text/csv')
            }
          >
            All runs (CSV)
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
      {runs.length > 1 && (
        <div className="runs-find">
          <input
            type="search"
            placeholder='Find runs: name, notes, #tag, preset, method, seed 2, "a phrase"…'
            aria-label="Find runs"
            value={query}
            onChange={(e) => setQuery(e.target.value)}
            data-testid="runs-filter"
          />
          <select
            aria-label="Order of the runs"
            value={order}
            onChange={(e) => setOrder(e.target.value as RunOrder)}
            data-testid="runs-order"
          >
            <option value="newest">newest first</option>
            <option value="oldest">oldest first</option>
            <option value="name">by name</option>
            <option value="teacher-accuracy">by teacher top-1</option>
          </select>
          {query && (
            <span className="muted" role="status" data-testid="runs-found">
              {shown.length} of {runs.length}
            </span>
          )}
        </div>
      )}
      {runs.length === 0 ? (
        <p className="muted">No finished run yet. Click “Distill”.</p>
      ) : (
        <ul className="runs" data-testid="runs-list">
          {shown.map((r) => (
            <PanelBoundary
              key={r.id}
              name={`The stored run “${r.name}”`}
              fallback={(error) => (
                <li data-testid="stored-run" className="bad-run" role="alert">
                  <span>
                    “{String(r.name)}” cannot be shown ({error.message}); the other runs are fine.
                  </span>{' '}
                  <button
                    type="button"
                    className="secondary"
                    data-testid="delete-bad-run"
                    onClick={() => void removeRun(r.id)}
                  >
                    Delete this run
                  </button>
                </li>
              )}
            >
              <RunRow run={r} current={r.id === currentRunId} />
            </PanelBoundary>
          ))}
        </ul>
      )}
    </section>
  );
}
