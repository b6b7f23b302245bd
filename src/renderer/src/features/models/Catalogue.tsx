import type { ModelsSnapshot } from '../../../../shared/channels/models';
import { api } from '../../api';
import { bytes, FIT_LABEL } from './format';
import { Badge } from './Badge';
import type { Action } from './use-action';

export function Catalogue({ snapshot, action }: { snapshot: ModelsSnapshot; action: Action }) {
  const downloading = new Set(snapshot.downloads.filter((d) => d.state === 'running' || d.state === 'paused' || d.state === 'verifying').map((d) => d.fileName));
  return (
    <section className="card" aria-labelledby="catalogue-title">
      <h2 id="catalogue-title">Recommended for Apple Silicon</h2>
      <table className="task-table" aria-label="Model catalogue">
        <thead>
          <tr>
            <th>Model</th>
            <th>Size</th>
            <th>Quantization</th>
            <th>Memory needed</th>
            <th>Fit</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {snapshot.catalogue.map((c) => (
            <tr key={c.entry.id}>
              <td>
                <strong>{c.entry.name}</strong>
                <div className="muted">{c.entry.description}</div>
                <div className="muted">Good for: {c.entry.goodFor.join(', ')} · {c.entry.license}</div>
              </td>
              <td>{bytes(c.entry.sizeBytes)}</td>
              <td>{c.entry.quantization}</td>
              <td>
                {bytes(c.entry.memoryBytes)} <span className="muted">at {c.entry.contextSize} tokens</span>
              </td>
              <td>
                <Badge className={`fit-${c.fit}`} title={c.fitMessage}>
                  {FIT_LABEL[c.fit]}
                </Badge>
              </td>
              <td>
                {c.installed ? (
                  <span className="muted">installed</span>
                ) : (
                  <button
                    type="button"
                    disabled={downloading.has(c.entry.fileName) || c.fit === 'too_large'}
                    title={c.fit === 'too_large' ? c.fitMessage : undefined}
                    onClick={() => void action.run(`Starting the download of ${c.entry.name}`, () => api.startModelDownload({ catalogueId: c.entry.id }))}
                  >
                    Download
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
