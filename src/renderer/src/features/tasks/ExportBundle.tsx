import { useEffect, useState } from 'react';
import type { ExportedBundle } from '../../../../shared/channels/provenance';
import { api } from '../../api';
import { href } from '../../router';
import './task-detail.css';

/** Exports the task's signed audit bundle: saved in the data folder, and offered as a download. */
export function ExportBundle({ taskId }: { taskId: string }) {
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<ExportedBundle | null>(null);
  const [download, setDownload] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [includeTrace, setIncludeTrace] = useState(false);

  useEffect(
    () => () => {
      if (download) URL.revokeObjectURL(download);
    },
    [download],
  );

  const run = async () => {
    setBusy(true);
    setError(null);
    const r = await api.exportBundle({ taskId, inline: true, includeTrace });
    setBusy(false);
    if (!r.ok) {
      setError(r.error.message);
      return;
    }
    setResult(r.value);
    if (r.value.base64) {
      const bytes = Uint8Array.from(atob(r.value.base64), (c) => c.charCodeAt(0));
      setDownload(URL.createObjectURL(new Blob([bytes], { type: 'application/json' })));
    } else setDownload(null);
  };

  return (
    <section className="card" aria-labelledby="export-title">
      <h3 id="export-title">Audit bundle</h3>
      <p className="hint">
        One signed file with this task&apos;s spec, every journal record, votes, gate results, approvals and the patch; anyone can verify it
        offline (<a href={href({ page: 'audit' })}>Audit page</a>, or <span className="mono">agent-agency verify</span>).
      </p>
      <label htmlFor="export-include-trace">
        <input id="export-include-trace" type="checkbox" checked={includeTrace} onChange={(e) => setIncludeTrace(e.target.checked)} /> Include the task’s trace (its
        OpenTelemetry spans, kept in the data folder; checked for being one well-formed trace when the bundle is verified)
      </label>{' '}
      <button type="button" onClick={() => void run()} disabled={busy}>
        {busy ? 'Exporting…' : 'Export audit bundle'}
      </button>
      {error ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
      {result ? (
        <div className="form-ok" role="status" data-testid="task-export-result">
          <p>
            Saved to <span className="mono">{result.path}</span> ({result.size.toLocaleString()} bytes), sha256 <span className="mono chg-hash">{result.sha256}</span>
          </p>
          {download ? (
            <a href={download} download={result.fileName}>
              Download {result.fileName}
            </a>
          ) : null}
        </div>
      ) : null}
    </section>
  );
}
