import { useState, type FormEvent } from 'react';
import type { SettingsView } from '../../../../shared/channels/settings';
import { api } from '../../api';

/** The data folder: shown always; changeable (for the next start) when the app was not started with a fixed one. */
export function DataFolder({ view, onSaved }: { view: SettingsView; onSaved: (v: SettingsView) => void }) {
  const [path, setPath] = useState(view.dataDir.next ?? view.dataDir.current);
  const [error, setError] = useState<string | null>(null);
  const choose = async (e: FormEvent) => {
    e.preventDefault();
    const r = await api.setDataDir({ path });
    if (r.ok) {
      setError(null);
      onSaved(r.value);
    } else {
      setError(r.error.message);
    }
  };
  return (
    <section className="card" aria-labelledby="data-title">
      <h3 id="data-title">Data folder</h3>
      <p>
        In use: <span className="mono" data-testid="data-dir">{view.dataDir.current}</span>
      </p>
      {view.dataDir.next && (
        <p role="status">
          From the next start: <span className="mono">{view.dataDir.next}</span>
        </p>
      )}
      {view.dataDir.changeable ? (
        <form onSubmit={(e) => void choose(e)} className="row">
          <div className="field">
            <label htmlFor="dataDir">Folder for the next start</label>
            <input id="dataDir" className="mono" value={path} onChange={(e) => setPath(e.target.value)} aria-describedby="dataDir-help" />
            <span id="dataDir-help" className="hint">
              Takes effect when the app restarts; the current folder is left as it is (nothing is moved).
            </span>
          </div>
          <button type="submit" className="secondary">
            Use at next start
          </button>
        </form>
      ) : (
        <p className="hint">Fixed by how the app was started (--data-dir or AGENT_AGENCY_DATA_DIR); start it with another folder to change it.</p>
      )}
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
