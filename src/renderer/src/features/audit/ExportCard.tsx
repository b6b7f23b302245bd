import { useEffect, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { ExportedBundle } from '../../../../shared/channels/provenance';
import { api } from '../../api';
import { selectTaskList, useAppStore } from '../../store/store';

export function ExportCard() {
  const tasks = useAppStore(useShallow(selectTaskList));
  const [taskId, setTaskId] = useState('');
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<ExportedBundle | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [download, setDownload] = useState<string | null>(null);
  const chosen = taskId || tasks[0]?.id || '';

  useEffect(() => () => {
    if (download) URL.revokeObjectURL(download);
  }, [download]);

  const run = async () => {
    if (!chosen) return;
    setBusy(true);
    setError(null);
    setResult(null);
    const r = await api.exportBundle({ taskId: chosen, inline: true });
    setBusy(false);
    if (!r.ok) {
      setError(r.error.message);
      return;
    }
    setResult(r.value);
    if (r.value.base64) {
      const bytes = Uint8Array.from(atob(r.value.base64), (c) => c.charCodeAt(0));
      setDownload(URL.createObjectURL(new Blob([bytes], { type: 'application/json' })));
    }
  };

  return (
    <section className="card" aria-labelledby="audit-export-title">
      <h2 id="audit-export-title">Export an audit bundle</h2>
      <p className="hint">
        One file per task (dry-run tasks too): the task, its spec, every journal record, verdicts and votes, approvals with who
        approved, gate results, the patch, model identities, the public keys and the signatures, with a signed manifest of hashes.
      </p>
      <div className="row">
        <label className="field">
          <span>Task</span>
          <select aria-label="Task to export" value={chosen} onChange={(e) => setTaskId(e.target.value)}>
            {tasks.length === 0 && <option value="">no tasks yet</option>}
            {tasks.map((t) => (
              <option key={t.id} value={t.id}>
                {t.description.slice(0, 80)} — {t.id} ({t.mode}, {t.state.kind})
              </option>
            ))}
          </select>
        </label>
      </div>
      <button type="button" onClick={() => void run()} disabled={!chosen || busy}>
        {busy ? 'Exporting…' : 'Export bundle'}
      </button>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      {result && (
        <div className="form-ok" role="status" data-testid="export-result">
          <p>
            Saved to <span className="mono">{result.path}</span> ({result.size.toLocaleString()} bytes)
          </p>
          <p className="mono muted">sha256 {result.sha256}</p>
          {download && (
            <a href={download} download={result.fileName}>
              Download {result.fileName}
            </a>
          )}
        </div>
      )}
    </section>
  );
}
