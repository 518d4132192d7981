import { useState } from 'react';
import { sweepsUsingNote } from './sweepsUsingNote';
import { engineRequest, useLab } from '../store/labStore';
import type { ImportedTeacher } from '../worker/protocol';
import { formatBytes } from './format';

/** "Bring your own teacher": a trained tfjs LayersModel replaces the teacher the lab would train. */
export function TeacherImport() {
  const { config, updateConfig, teachers, deleteTeacher, loadTeachers, sweepsUsing } = useLab();
  const [error, setError] = useState<string | null>(null);
  const [info, setInfo] = useState<ImportedTeacher | null>(null);
  const onFiles = async (files: FileList | null) => {
    if (!files || files.length === 0) return;
    setError(null);
    try {
      const t = await engineRequest<ImportedTeacher>({ kind: 'importTeacher', files: Array.from(files) });
      setInfo(t);
      updateConfig({ teacherImport: { key: t.key, name: t.name } });
      await loadTeachers();
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <div className="teacher-import">
      {config.teacherImport ? (
        <p className="muted" data-testid="teacher-imported">
          Teacher: imported <strong>{config.teacherImport.name}</strong>
          {info
            ? ` (${info.params.toLocaleString('en-US')} params, ${info.inputSize}×${info.inputSize} input, ${info.classes} classes)`
            : ''}{' '}
          — it is measured, not trained.{' '}
          <button
            type="button"
            className="link"
            onClick={() => {
              updateConfig({ teacherImport: undefined });
              setInfo(null);
            }}
          >
            Train one instead
          </button>
        </p>
      ) : (
        <label className="button secondary" title="A tfjs LayersModel: model.json with its .bin weight files">
          Import a trained teacher…
          <input
            type="file"
            multiple
            accept=".json,.bin,application/json,application/octet-stream"
            className="visually-hidden"
            data-testid="teacher-import"
            onChange={(e) => {
              void onFiles(e.target.files);
              e.target.value = '';
            }}
          />
        </label>
      )}
      {error && (
        <p className="form-errors" role="alert" data-testid="teacher-import-error">
          {error}
        </p>
      )}
      {teachers.length > 0 && (
        <details className="teacher-list">
          <summary>Imported teachers kept in this browser ({teachers.length})</summary>
          <ul>
            {teachers.map((t) => (
              <li key={t.key} data-testid="stored-teacher">
                <span>
                  {t.name} · {formatBytes(t.bytes)}
                  {t.savedAt ? ` · ${new Date(t.savedAt).toLocaleString()}` : ''}
                  {t.usedBy.length ? ` · teacher of ${t.usedBy.join(', ')}` : ''}
                </span>{' '}
                {config.teacherImport?.key !== t.key && (
                  <button
                    type="button"
                    className="link"
                    onClick={() => updateConfig({ teacherImport: { key: t.key, name: t.name } })}
                  >
                    Use
                  </button>
                )}{' '}
                <button
                  type="button"
                  className="link"
                  aria-label={`Delete the imported teacher ${t.name}`}
                  onClick={() =>
                    void (async () => {
                      const note = t.usedBy.length
                        ? ` The photo demo and model download of ${t.usedBy.join(', ')} will no longer have this teacher; their figures stay.`
                        : '';
                      const users = await sweepsUsing(t.key);
                      if (
                        confirm(
                          `Delete the imported teacher ${t.name} (${formatBytes(t.bytes)})?${note}${sweepsUsingNote(users)}`,
                        )
                      )
                        await deleteTeacher(
                          t.key,
                          users.map((u) => u.id),
                        );
                    })()
                  }
                >
                  Delete
                </button>
              </li>
            ))}
          </ul>
        </details>
      )}
    </div>
  );
}
