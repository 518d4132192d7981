import { formatBytes } from './format';
import { useLab } from '../store/labStore';
import type { StoredSweep } from '../storage/db';

/** After a reload or a crash: the interrupted sweep, with what it had finished, to resume or discard. */
export function ResumeBanner() {
  const { resumable, resume, discardResumable, status, elsewhere } = useLab();
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
        <Interrupted resumable={resumable} resume={resume} discard={discardResumable} status={status} />
      )}
    </>
  );
}

function Interrupted({
  resumable,
  resume,
  discard: discardResumable,
  status,
}: {
  resumable: StoredSweep;
  resume: () => void;
  discard: () => Promise<void>;
  status: string;
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
