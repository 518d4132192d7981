import { useLab } from '../store/labStore';
import { pct } from './format';

export function RunsList() {
  const { runs, selectRun, removeRun, status } = useLab();
  return (
    <section className="card">
      <div className="card-head"><h2>Stored runs</h2><span className="muted">kept in this browser’s IndexedDB</span></div>
      {runs.length === 0 ? <p className="muted">No finished run yet. Click “Distill”.</p> : (
        <ul className="runs" data-testid="runs-list">
          {runs.map((r) => (
            <li key={r.id} data-testid="stored-run">
              <button type="button" className="link" onClick={() => selectRun(r.id)} disabled={status !== 'idle'}>{r.name}</button>
              <span className="muted"> teacher {pct(r.result.teacher.test.accuracy)}% · {r.result.students.length} students · {r.result.backend.name}</span>
              <button type="button" className="icon" aria-label={`Delete ${r.name}`} onClick={() => { if (confirm(`Delete “${r.name}”?`)) void removeRun(r.id); }}>✕</button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
