import { formatBytes } from './format';
import { useLab } from '../store/labStore';
import type { StoredSweep } from '../storage/db';
import { downloadText } from './download';

/** The figures an interrupted sweep had finished (teacher, students, failures) with its setup, as JSON. */
function exportInterrupted(sweep: StoredSweep): void {
  const { id, config, teacher, students, failures, total, updatedAt } = sweep;
  downloadText(
    `fairdistill-interrupted-${id}.json`,
    JSON.stringify(
      { tool: 'FairDistill Lab interrupted sweep', id, savedAt: updatedAt, total, config, teacher, students, failures },
      null,
      2,
    ),
  );
}

/** After a reload or a crash: the interrupted sweep, with what it had finished, to resume or discard. */
export function ResumeBanner() {
  const { resumable, resume, discardResumable, status, elsewhere, resumeProblem } = useLab();
  return (
    <>
      {elsewhere.map((s) => (
        <div className="resume-banner" role="status" data-testid="running-elsewhere" key={s.id}>
          A sweep is running in another tab of the lab (
          {s.teacher
            ? `its teacher and ${s.students.length} of ${s.total} students have finished`
            : 'its teacher is training'}
          , saved {new Date(s.updatedAt).toLocaleTimeString()}). Only that tab can cancel it; its run appears here when
          it finishes.
        </div>
      ))}
      {/* Not while this tab runs a sweep: the banner is about one that stopped. */}
      {resumable && status === 'idle' && (
        <Interrupted
          resumable={resumable}
          resume={resume}
          discard={discardResumable}
          status={status}
          problem={resumeProblem?.id === resumable.id ? resumeProblem.message : null}
        />
      )}
    </>
  );
}

function Interrupted({
  resumable,
  resume,
  discard: discardResumable,
  status,
  problem,
}: {
  resumable: StoredSweep;
  resume: () => void;
  discard: () => Promise<void>;
  status: string;
  /** Why it cannot be resumed (it lost what it reads): Resume is off, Discard and Export stay. */
  problem: string | null;
}) {
  const done = resumable.students.length + resumable.failures.length;
  const current = resumable.current;
  const where = current
    ? ` ${current.label} was at epoch ${current.epoch} of ${current.epochs} (checkpoint ${formatBytes(current.bytes)}) and goes on from there.`
    : '';
  return (
    <div className="resume-banner" role="status" data-testid="resume-banner">
      <span>
        A sweep was interrupted ({new Date(resumable.updatedAt).toLocaleString()}):{' '}
        {resumable.teacher
          ? `its teacher and ${done} of ${resumable.total} students had finished.`
          : `its teacher was still training; ${resumable.total} students to go.`}
        {where}
        {resumable.teacher && !problem ? ` Resuming trains only the ${resumable.total - done} left.` : ''}
        {problem && (
          <strong className="resume-problem" data-testid="resume-problem">
            {' '}
            {problem}
          </strong>
        )}
      </span>
      <span className="toggles">
        <button
          type="button"
          className="secondary"
          onClick={resume}
          disabled={status !== 'idle' || problem !== null}
          data-testid="resume"
        >
          Resume
        </button>
        {(resumable.teacher || done > 0) && (
          <button
            type="button"
            className="secondary"
            onClick={() => exportInterrupted(resumable)}
            data-testid="export-interrupted"
          >
            Export what finished
          </button>
        )}
        <button
          type="button"
          className="secondary"
          onClick={() => void discardResumable()}
          data-testid="discard-resume"
        >
          Discard
        </button>
      </span>
    </div>
  );
}
