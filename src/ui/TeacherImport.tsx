import { useState } from 'react';
import { engineRequest, useLab } from '../store/labStore';
import type { ImportedTeacher } from '../worker/protocol';

/** "Bring your own teacher": a trained tfjs LayersModel replaces the teacher the lab would train. */
export function TeacherImport() {
  const { config, updateConfig } = useLab();
  const [error, setError] = useState<string | null>(null);
  const [info, setInfo] = useState<ImportedTeacher | null>(null);
  const onFiles = async (files: FileList | null) => {
    if (!files || files.length === 0) return;
    setError(null);
    try {
      const t = await engineRequest<ImportedTeacher>({ kind: 'importTeacher', files: Array.from(files) });
      setInfo(t);
      updateConfig({ teacherImport: { key: t.key, name: t.name } });
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
    </div>
  );
}
