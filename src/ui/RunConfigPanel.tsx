import { useMemo, useState } from 'react';
import { OPTIONS, presetOf, setupCommand, type Setup } from '../engine/options';
import { useLab } from '../store/labStore';

/**
 * The open run's whole configuration — every setting of the option table as it was — and the
 * headless command that trains it again, with a copy button; "Use this setup" puts it in the form.
 */
export function RunConfigPanel() {
  const result = useLab((s) => s.result);
  const status = useLab((s) => s.status);
  const [copied, setCopied] = useState<string | null>(null);
  const setup = useMemo<Setup | null>(
    () => (result ? { preset: presetOf(result.config), config: result.config, charts: true } : null),
    [result],
  );
  if (!result || !setup) return null;
  const imported = result.config.dataset.kind === 'imported';
  const backend = result.backend.name;
  const command = `${setupCommand(setup)}${backend === 'webgl' ? '' : ` --backend ${backend}`}`;
  const rows = OPTIONS.filter((o) => o.name !== 'backend' && o.name !== 'threads' && o.name !== 'charts').flatMap(
    (o) => {
      const v = o.get(setup);
      return v === undefined ? [] : [{ name: o.name, value: o.format(v) || '—' }];
    },
  );
  const copy = () =>
    navigator.clipboard.writeText(command).then(
      () => setCopied('Copied.'),
      (e: unknown) => setCopied(`Could not copy (${e instanceof Error ? e.message : String(e)}); select the text.`),
    );
  return (
    <section className="card" data-testid="run-config">
      <details>
        <summary>
          <h2 className="inline">This run’s setup</h2> <span className="muted">seed {result.config.seed}</span>
        </summary>
        <table className="config-table" data-testid="run-config-table">
          <tbody>
            {rows.map((r) => (
              <tr key={r.name}>
                <th scope="row">{r.name}</th>
                <td data-option={r.name}>{r.value}</td>
              </tr>
            ))}
            <tr>
              <th scope="row">backend</th>
              <td>
                {backend}
                {result.backend.kernels ? ` · convolution gradients: ${result.backend.kernels}` : ''}
              </td>
            </tr>
          </tbody>
        </table>
        {imported ? (
          <p className="muted" data-testid="run-command-none">
            This run used a dataset imported into this browser; the headless runner trains on the built-in dataset only,
            so there is no command that repeats it outside the page.
          </p>
        ) : (
          <div className="command">
            <p className="muted">
              The same sweep in the headless runner (Node, from the project folder)
              {backend === 'webgl' ? '; WebGL is a browser backend, so the runner picks its own' : ''}:
            </p>
            <code data-testid="run-command">{command}</code>{' '}
            <button type="button" className="secondary" onClick={() => void copy()} data-testid="copy-command">
              Copy
            </button>{' '}
            {copied && (
              <span className="muted" role="status">
                {copied}
              </span>
            )}
          </div>
        )}
        <button
          type="button"
          className="secondary"
          disabled={status !== 'idle'}
          data-testid="use-setup"
          onClick={() => useLab.setState({ preset: setup.preset, config: structuredClone(result.config) })}
        >
          Use this setup
        </button>
      </details>
    </section>
  );
}
