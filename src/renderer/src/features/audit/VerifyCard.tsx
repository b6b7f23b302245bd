import { useState } from 'react';
import type { VerificationReport } from '../../../../shared/channels/provenance';
import { api } from '../../api';
import { ReportView } from './ReportView';
import { MAX_BROWSER_BUNDLE } from './format';

export function VerifyCard() {
  const [report, setReport] = useState<VerificationReport | null>(null);
  const [fileName, setFileName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [trustLocalKeys, setTrustLocalKeys] = useState(false);
  const [sourcesDir, setSourcesDir] = useState('');

  const verify = async (file: File | undefined) => {
    if (!file) return;
    if (!window.agentAgency && file.size > MAX_BROWSER_BUNDLE) {
      // The headless host's WebSocket takes messages up to 1 MB; the command line has no such limit.
      setReport(null);
      setError(`${file.name} is ${(file.size / 1_000_000).toFixed(1)} MB, more than this browser connection carries; verify it with: agent-agency verify ${file.name}`);
      return;
    }
    setBusy(true);
    setError(null);
    setReport(null);
    setFileName(file.name);
    const dir = sourcesDir.trim();
    const r = await api.verifyBundle({ content: await file.text(), trustLocalKeys, ...(dir ? { sourcesDir: dir } : {}) });
    setBusy(false);
    if (!r.ok) setError(r.error.message);
    else setReport(r.value);
  };

  return (
    <section className="card" aria-labelledby="audit-verify-title">
      <h2 id="audit-verify-title">Verify a bundle</h2>
      <p className="hint">Checked offline: every hash against the signed manifest, the chain of records, and every signature.</p>
      <label className="field">
        <span>Sources folder (optional)</span>
        <input
          type="text"
          className="mono"
          placeholder="/path/to/the/repository"
          aria-label="Sources folder"
          value={sourcesDir}
          disabled={busy}
          onChange={(e) => setSourcesDir(e.target.value)}
        />
      </label>
      <p className="hint">On this app&apos;s machine: the workspace or repository files at their paths, attachments by name. Their hashes are checked against the bundle&apos;s sources.</p>
      <label className="field">
        <span>Bundle file</span>
        <input type="file" accept=".json,application/json" aria-label="Bundle file to verify" disabled={busy} onChange={(e) => void verify(e.target.files?.[0])} />
      </label>
      <label>
        <input type="checkbox" checked={trustLocalKeys} onChange={(e) => setTrustLocalKeys(e.target.checked)} /> Accept only this
        installation&apos;s signing keys
      </label>
      {busy && <p role="status">Verifying…</p>}
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      {report && <ReportView report={report} fileName={fileName} />}
    </section>
  );
}
