import { useLab } from '../store/labStore';

/** After a reload or a crash: the interrupted sweep, with what it had finished, to resume or discard. */
export function ResumeBanner() {
  const { resumable, resume, discardResumable, status } = useLab();
  if (!resumable) return null;
  const done = resumable.students.length + resumable.failures.length;
  return (
    <div className="resume-banner" role="status" data-testid="resume-banner">
      <span>
        A sweep was interrupted ({new Date(resumable.updatedAt).toLocaleString()}): its teacher and {done} of {resumable.total} students had finished.
        Resuming trains only the {resumable.total - done} left.
      </span>
      <span className="toggles">
        <button type="button" className="secondary" onClick={resume} disabled={status !== 'idle'} data-testid="resume">Resume</button>
        <button type="button" className="secondary" onClick={() => void discardResumable()} data-testid="discard-resume">Discard</button>
      </span>
    </div>
  );
}
