import { useEffect } from 'react';
import { RunConfigPanel } from './RunConfigPanel';
import { ConfusionPanel } from './ConfusionPanel';
import { ValidationPanel } from './ValidationPanel';
import { exportRunsJson } from '../analysis/runFiles';
import { useLab } from '../store/labStore';
import { downloadText, fileStem } from './download';
import { BackendBadge } from './BackendBadge';
import { ComparePanel } from './ComparePanel';
import { DemoPanel } from './DemoPanel';
import { GalleryPanel } from './GalleryPanel';
import { LossChart } from './LossChart';
import { OverlayPanel } from './OverlayPanel';
import { PanelBoundary } from './PanelBoundary';
import { ProgressPanel } from './ProgressPanel';
import { ResultsTable } from './ResultsTable';
import { ResumeBanner } from './ResumeBanner';
import { RunsList } from './RunsList';
import { RunsParallelPanel } from './RunsParallelPanel';
import { SeedsPanel } from './SeedsPanel';
import { SetupPanel } from './SetupPanel';
import { SurfacePanel } from './SurfacePanel';

export function App() {
  const boot = useLab((s) => s.boot);
  const error = useLab((s) => s.error);
  const dismiss = useLab((s) => s.dismissError);
  const liveChart = useLab((s) => s.liveChart);
  const urlProblems = useLab((s) => s.urlProblems);
  const unstoredRun = useLab((s) => s.unstoredRun);
  const preset = useLab((s) => s.preset);
  const hasResult = useLab((s) => s.result !== null || s.partial.length > 0);
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
          <PanelBoundary name="The setup panel">
            <SetupPanel key={preset} />
          </PanelBoundary>
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
          {unstoredRun && (
            <div className="warning" role="status" data-testid="unstored-run">
              “{unstoredRun.name}” is only on this page: storage refused it.{' '}
              <button
                type="button"
                className="secondary"
                data-testid="export-unstored"
                onClick={() => downloadText(`${fileStem(unstoredRun.name)}.json`, exportRunsJson([unstoredRun]))}
              >
                Export this run (JSON)
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
          <PanelBoundary name="The resume banner">
            <ResumeBanner />
          </PanelBoundary>
          <PanelBoundary name="The progress panel">
            <ProgressPanel />
          </PanelBoundary>
          <PanelBoundary name="The results table">
            <ResultsTable />
          </PanelBoundary>
          <PanelBoundary name="The run's setup">
            <RunConfigPanel />
          </PanelBoundary>
          <PanelBoundary name="The validation chart">
            <ValidationPanel />
          </PanelBoundary>
          <PanelBoundary name="The confusion tables">
            <ConfusionPanel />
          </PanelBoundary>
          <PanelBoundary name="The disparity chart">
            <ComparePanel />
          </PanelBoundary>
          <PanelBoundary name="The λ × method view">
            <SurfacePanel />
          </PanelBoundary>
          {!hasResult && (
            <PanelBoundary name="The training-image gallery">
              <GalleryPanel />
            </PanelBoundary>
          )}
          <PanelBoundary name="The photo demo">
            <DemoPanel />
          </PanelBoundary>
          {liveChart && (
            <PanelBoundary name="The live loss chart">
              <LossChart />
            </PanelBoundary>
          )}
          <PanelBoundary name="The runs side by side">
            <OverlayPanel />
          </PanelBoundary>
          <PanelBoundary name="The stored runs">
            <RunsList />
          </PanelBoundary>
          <PanelBoundary name="The across-seeds table">
            <SeedsPanel />
          </PanelBoundary>
          <PanelBoundary name="The stored runs, setting by setting">
            <RunsParallelPanel />
          </PanelBoundary>
        </main>
      </div>
    </div>
  );
}
