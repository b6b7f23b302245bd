import type { ModelsSnapshot } from '../../../../shared/channels/models';
import { api } from '../../api';
import { ProgressBar } from '../../components/ProgressBar';
import { bytes } from './format';
import type { Action } from './use-action';

export function Downloads({ snapshot, action }: { snapshot: ModelsSnapshot; action: Action }) {
  if (snapshot.downloads.length === 0) return null;
  return (
    <section className="card" aria-labelledby="downloads-title">
      <h2 id="downloads-title">Downloads</h2>
      {snapshot.downloads.map((d) => {
        const percent = d.totalBytes ? (d.receivedBytes / d.totalBytes) * 100 : 0;
        return (
          <div key={d.id} className="download-row">
            <div>
              <strong>{d.fileName}</strong>
              <div className="muted">
                {d.state}
                {d.model ? ` as ${d.model}` : ''}
              </div>
              {d.error && <div className="field-error">{d.error}</div>}
            </div>
            <div>
              <ProgressBar percent={percent} label={`Download of ${d.fileName}`} />
              <div className="muted">
                {bytes(d.receivedBytes)}
                {d.totalBytes ? ` of ${bytes(d.totalBytes)}` : ''}
                {d.state === 'running' && d.bytesPerSecond > 0 ? ` · ${bytes(d.bytesPerSecond)}/s` : ''}
              </div>
            </div>
            <div className="model-actions">
              {d.state === 'running' && (
                <button type="button" className="secondary" onClick={() => void action.run('Pausing', () => api.pauseModelDownload({ id: d.id }))}>
                  Pause
                </button>
              )}
              {(d.state === 'paused' || d.state === 'failed') && (
                <button type="button" onClick={() => void action.run('Resuming', () => api.resumeModelDownload({ id: d.id }))}>
                  Resume
                </button>
              )}
              {(d.state === 'running' || d.state === 'paused' || d.state === 'failed') && (
                <button type="button" className="secondary" onClick={() => void action.run('Cancelling', () => api.cancelModelDownload({ id: d.id }))}>
                  Cancel
                </button>
              )}
            </div>
          </div>
        );
      })}
    </section>
  );
}
