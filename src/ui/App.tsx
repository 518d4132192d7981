import { useEffect } from 'react';
import { useLab } from '../store/labStore';
import { BackendBadge } from './BackendBadge';
import { ComparePanel } from './ComparePanel';
import { DemoPanel } from './DemoPanel';
import { LossChart } from './LossChart';
import { ProgressPanel } from './ProgressPanel';
import { ResultsTable } from './ResultsTable';
import { ResumeBanner } from './ResumeBanner';
import { RunsList } from './RunsList';
import { SeedsPanel } from './SeedsPanel';
import { SetupPanel } from './SetupPanel';
import { SurfacePanel } from './SurfacePanel';

export function App() {
  const boot = useLab((s) => s.boot);
  const error = useLab((s) => s.error);
  const dismiss = useLab((s) => s.dismissError);
  const liveChart = useLab((s) => s.liveChart);
  const urlProblems = useLab((s) => s.urlProblems);
  useEffect(() => boot(), [boot]);
  return (
    <div className="app">
      <header className="topbar">
        <div className="brand">
          <span className="logo" aria-hidden>
            ◆
          </span>
          <div>
            <h1>FairDistill Lab</h1>
            <p>Distil a teacher into a smaller student, and measure whether the student inherits its bias.</p>
          </div>
        </div>
        <BackendBadge />
      </header>
      <div className="layout">
        <aside className="sidebar">
          <SetupPanel />
        </aside>
        <main className="main">
          {error && (
            <div className="error-banner" role="alert" data-testid="error">
              <span>{error}</span>
              <button type="button" className="icon" aria-label="Dismiss" onClick={dismiss}>
                ✕
              </button>
            </div>
          )}
          {urlProblems.length > 0 && (
            <div className="warning" role="status" data-testid="url-problems">
              Some settings in this page’s address could not be used:
              <ul>
                {urlProblems.map((p) => (
                  <li key={p}>{p}</li>
                ))}
              </ul>
            </div>
          )}
          <ResumeBanner />
          <ProgressPanel />
          <ResultsTable />
          <ComparePanel />
          <SurfacePanel />
          <DemoPanel />
          {liveChart && <LossChart />}
          <RunsList />
          <SeedsPanel />
        </main>
      </div>
    </div>
  );
}
