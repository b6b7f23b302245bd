import { useCallback, useEffect, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { AuditCommit, ExportedBundle, SigningKeyInfo, VerificationReport } from '../../../../shared/channels/provenance';
import { api } from '../../api';
import { href } from '../../router';
import { selectTaskList, useAppStore } from '../../store/store';

const MAX_BROWSER_BUNDLE = 900_000;

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/** Audit: export a task's signed bundle, verify a bundle file offline, browse the audit repository. */
export function AuditPage() {
  return (
    <>
      <ExportCard />
      <VerifyCard />
      <CommitsCard />
      <KeysCard />
    </>
  );
}

function ExportCard() {
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

function VerifyCard() {
  const [report, setReport] = useState<VerificationReport | null>(null);
  const [fileName, setFileName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [trustLocalKeys, setTrustLocalKeys] = useState(false);

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
    const r = await api.verifyBundle({ content: await file.text(), trustLocalKeys });
    setBusy(false);
    if (!r.ok) setError(r.error.message);
    else setReport(r.value);
  };

  return (
    <section className="card" aria-labelledby="audit-verify-title">
      <h2 id="audit-verify-title">Verify a bundle</h2>
      <p className="hint">Checked offline: every hash against the signed manifest, the chain of records, and every signature.</p>
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

function ReportView({ report, fileName }: { report: VerificationReport; fileName: string }) {
  return (
    <div role="status" data-testid="verify-result" data-ok={report.ok}>
      {report.ok ? (
        <p className="form-ok">
          <strong>Verified</strong>: {fileName} is the intact audit bundle of <span className="mono">{report.taskId}</span> —{' '}
          {plural(report.checked.entries, 'entry', 'entries')}, {plural(report.checked.events, 'record')},{' '}
          {plural(report.checked.signatures, 'signature')}.
        </p>
      ) : (
        <>
          <p className="form-error">
            <strong>Verification failed</strong>: {report.problems.length} problem{report.problems.length === 1 ? '' : 's'} in {fileName}
          </p>
          <ul aria-label="Verification problems">
            {report.problems.map((p, i) => (
              <li key={i} data-kind={p.kind}>
                <span className="badge state-failed">{p.kind.replace('_', ' ')}</span> {p.message}
              </li>
            ))}
          </ul>
        </>
      )}
      {report.signers.length > 0 && (
        <p className="muted">
          Signed by{' '}
          {report.signers.map((s) => (
            <span key={s.kid} className="mono">
              {s.kid}
              {s.trusted === true ? ' (trusted)' : s.trusted === false ? ' (not trusted)' : ''}{' '}
            </span>
          ))}
        </p>
      )}
      {report.warnings.map((w) => (
        <p key={w} className="hint">
          Note: {w}
        </p>
      ))}
    </div>
  );
}

function CommitsCard() {
  const [commits, setCommits] = useState<AuditCommit[] | null>(null);
  const [filter, setFilter] = useState('');
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async (taskId: string) => {
    setError(null);
    const r = await api.listAuditCommits(/^tsk_[0-9a-z]{10,40}$/.test(taskId) ? { taskId, limit: 200 } : { limit: 200 });
    if (!r.ok) setError(r.error.message);
    else setCommits(r.value);
  }, []);

  useEffect(() => {
    let live = true;
    void api.listAuditCommits({ limit: 200 }).then((r) => {
      if (!live) return;
      if (!r.ok) setError(r.error.message);
      else setCommits(r.value);
    });
    return () => {
      live = false;
    };
  }, []);

  return (
    <section className="card" aria-labelledby="audit-commits-title">
      <div className="list-header">
        <h2 id="audit-commits-title">Audit repository</h2>
        <input type="search" aria-label="Filter commits by task id" placeholder="tsk_…" value={filter} onChange={(e) => setFilter(e.target.value.trim())} />
        <button type="button" onClick={() => void load(filter)}>
          Refresh
        </button>
      </div>
      <p className="hint">A git repository in the data folder (audit.git): one branch per task, one commit per sync of its records.</p>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      {commits && commits.length === 0 && <p className="empty">No commits yet: a task is mirrored when it ends or is exported.</p>}
      {commits && commits.length > 0 && (
        <table className="task-table" aria-label="Audit commits">
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Task</th>
              <th scope="col">Commit</th>
              <th scope="col">Records</th>
            </tr>
          </thead>
          <tbody>
            {commits
              .filter((c) => !filter || c.taskId.includes(filter))
              .map((c) => (
                <tr key={c.oid}>
                  <td>
                    <time dateTime={new Date(c.timestamp * 1000).toISOString()}>{new Date(c.timestamp * 1000).toLocaleString()}</time>
                  </td>
                  <td>
                    <a className="mono" href={href({ page: 'task', id: c.taskId })}>
                      {c.taskId}
                    </a>
                  </td>
                  <td className="mono" title={c.oid}>
                    {c.oid.slice(0, 12)}
                  </td>
                  <td>{c.message.split('\n')[0]}</td>
                </tr>
              ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function KeysCard() {
  const [keys, setKeys] = useState<SigningKeyInfo[] | null>(null);
  useEffect(() => {
    let live = true;
    void api.listSigningKeys({}).then((r) => {
      if (live && r.ok) setKeys(r.value);
    });
    return () => {
      live = false;
    };
  }, []);
  if (!keys) return null;
  return (
    <section className="card" aria-labelledby="audit-keys-title">
      <h2 id="audit-keys-title">Signing keys</h2>
      <p className="hint">
        Ed25519 keys of this installation, named by their JWK thumbprint. Give the public key to whoever verifies your bundles
        (docs/verify-bundle.md); retired keys stay listed so old signatures remain verifiable.
      </p>
      <ul>
        {keys.map((k) => (
          <li key={k.kid}>
            <span className="mono">{k.kid}</span> {k.current ? <span className="badge state-completed">current</span> : <span className="badge">retired</span>}{' '}
            <span className="muted">created {new Date(k.createdAt).toLocaleString()}</span>
            <details>
              <summary>Public key (JWK)</summary>
              <pre className="mono">{JSON.stringify(k.publicJwk, null, 2)}</pre>
            </details>
          </li>
        ))}
      </ul>
    </section>
  );
}
