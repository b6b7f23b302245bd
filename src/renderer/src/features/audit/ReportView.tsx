import type { VerificationReport } from '../../../../shared/channels/provenance';
import { plural } from './format';
import { SourcesView } from './SourcesView';

export function ReportView({ report, fileName }: { report: VerificationReport; fileName: string }) {
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
      {report.sources && <SourcesView sources={report.sources} />}
      {report.warnings.map((w) => (
        <p key={w} className="hint">
          Note: {w}
        </p>
      ))}
    </div>
  );
}
