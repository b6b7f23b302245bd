import { describeEvent } from './format';
import './models.css';
import { useModels } from './use-models';
import { AddModel } from './AddModel';
import { Catalogue } from './Catalogue';
import { Downloads } from './Downloads';
import { Installed } from './Installed';
import { Machine } from './Machine';
import { Roles } from './Roles';
import { useAction } from './use-action';
import { useState } from 'react';
import { TunePanel } from './tune/TunePanel';

/** Installed and recommended models: fit for this machine, state, roles, downloads. */
export function ModelsPage() {
  const { snapshot, error, events, refresh } = useModels();
  const action = useAction(refresh);
  // The model whose tuning panel is open (the one being tuned, once the page knows of it).
  const [tuneOpen, setTuneOpen] = useState<string | null>(null);
  const tuneModel = tuneOpen ?? snapshot?.tuning?.model ?? null;
  return (
    <>
      <section className="card" aria-labelledby="page-title">
        <div className="list-header">
          <h2 id="page-title">Models</h2>
          <button type="button" className="secondary" onClick={() => void refresh()}>
            Refresh
          </button>
        </div>
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
        {!snapshot && !error && <p role="status">Loading models…</p>}
        {snapshot && <Machine snapshot={snapshot} />}
        {action.error && (
          <p className="form-error" role="alert">
            {action.error}
          </p>
        )}
        {action.busy && <p role="status">{action.busy}…</p>}
      </section>
      {snapshot && (
        <>
          <Installed snapshot={snapshot} action={action} onTune={setTuneOpen} />
          {tuneModel && <TunePanel key={tuneModel} model={tuneModel} tuning={snapshot.tuning} onRefresh={refresh} onClose={() => setTuneOpen(null)} />}
          <Roles snapshot={snapshot} action={action} />
          <AddModel action={action} />
          <Downloads snapshot={snapshot} action={action} />
          <Catalogue snapshot={snapshot} action={action} />
        </>
      )}
      <section className="card" aria-labelledby="activity-title">
        <h2 id="activity-title">Activity</h2>
        {events.length === 0 ? (
          <p className="empty">Nothing yet.</p>
        ) : (
          <ul className="activity" aria-label="Model activity">
            {events.map((e) => {
              const d = describeEvent(e);
              return (
                <li key={e.seq} className={d.error ? 'error' : undefined}>
                  <span className="muted">{new Date(e.ts).toLocaleTimeString()}</span> {d.text}
                </li>
              );
            })}
          </ul>
        )}
      </section>
    </>
  );
}
