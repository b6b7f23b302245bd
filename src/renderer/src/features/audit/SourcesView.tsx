import type { VerificationReport } from '../../../../shared/channels/provenance';
import { plural } from './format';

const LABEL: Record<NonNullable<VerificationReport['sources']>['files'][number]['status'], string> = {
  matches: 'matches',
  earlier: 'an earlier version',
  differs: 'differs',
  not_supplied: 'not in the folder',
  not_checkable: 'not checkable',
};

/** The sources a bundle lists and, when a sources folder was given, how each file compared with its recorded hash. */
export function SourcesView({ sources }: { sources: NonNullable<VerificationReport['sources']> }) {
  if (!sources.checked) {
    return <p className="hint">{plural(sources.listed, 'source version')} listed, not checked: give the sources folder to hash the files.</p>;
  }
  return (
    <table className="gov-table" aria-label="Source files checked" data-testid="verify-sources">
      <thead>
        <tr>
          <th>source</th>
          <th>path</th>
          <th>result</th>
        </tr>
      </thead>
      <tbody>
        {sources.files.map((f) => (
          <tr key={`${f.source}:${f.path}`} data-status={f.status}>
            <td>{f.source}</td>
            <td className="mono">{f.path}</td>
            <td>
              <span className={`badge ${f.status === 'differs' ? 'state-failed' : f.status === 'matches' ? 'state-completed' : ''}`}>{LABEL[f.status]}</span>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
