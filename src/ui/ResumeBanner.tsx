import { formatBytes } from './format';
import { useLab } from '../store/labStore';

/** After a reload or a crash: the interrupted sweep, with what it had finished, to resume or discard. */
export function ResumeBanner() {
  const { resumable, resume, discardResumable, status } = useLab();
  // Not while a sweep runs: the banner is about one that stopped.
  if (!resumable || status !== 'idle') return null;
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
        {resumable.teacher ? ` Resuming trains only the ${resumable.total - done} left.` : ''}
      </span>
      <span className="toggles">
        <button type="button" className="secondary" onClick={resume} disabled={status !== 'idle'} data-testid="resume">
          Resume
        </button>
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
