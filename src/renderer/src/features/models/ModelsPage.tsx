import { Fragment, useState, type FormEvent, type ReactNode } from 'react';
import type { ModelsSnapshot } from '../../../../shared/channels/models';
import { MODEL_ROLE_NAMES, type ModelRoleName, type ModelView } from '../../../../shared/domain/model';
import type { Result } from '../../../../shared/errors';
import { api } from '../../api';
import { ProgressBar } from '../../components/ProgressBar';
import { bytes, describeEvent, FIT_LABEL, parameters } from './format';
import './models.css';
import { useModels } from './use-models';

/** Runs one action at a time and keeps its error to show. */
function useAction(after: () => Promise<void>) {
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const run = async (label: string, call: () => Promise<Result<unknown>>) => {
    setBusy(label);
    setError(null);
    const r = await call();
    setBusy(null);
    if (!r.ok) setError(r.error.message);
    await after();
    return r.ok;
  };
  return { busy, error, run };
}

/** Installed and recommended models: fit for this machine, state, roles, downloads. */
export function ModelsPage() {
  const { snapshot, error, events, refresh } = useModels();
  const action = useAction(refresh);
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
          <Installed snapshot={snapshot} action={action} />
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

type Action = ReturnType<typeof useAction>;

function Machine({ snapshot }: { snapshot: ModelsSnapshot }) {
  const m = snapshot.machine;
  return (
    <dl className="totals" aria-label="This machine">
      <div>
        <dt>Memory</dt>
        <dd>{bytes(m.totalBytes)}</dd>
      </div>
      <div>
        <dt>Available now</dt>
        <dd>{bytes(m.availableBytes)}</dd>
      </div>
      <div>
        <dt>Allowed for models</dt>
        <dd>{bytes(m.budgetBytes)}</dd>
      </div>
      <div>
        <dt>Compute</dt>
        <dd>{m.gpu}</dd>
      </div>
    </dl>
  );
}

function Badge({ className, children, title }: { className: string; children: ReactNode; title?: string }) {
  return (
    <span className={`badge ${className}`} title={title}>
      {children}
    </span>
  );
}

function Installed({ snapshot, action }: { snapshot: ModelsSnapshot; action: Action }) {
  return (
    <section className="card" aria-labelledby="installed-title">
      <h2 id="installed-title">Installed</h2>
      {snapshot.models.length === 0 ? (
        <p className="empty">No models yet. Add a GGUF file by path, download one from the catalogue, or add an OpenAI-compatible endpoint.</p>
      ) : (
        <table className="task-table" aria-label="Installed models">
          <thead>
            <tr>
              <th>Name</th>
              <th>Size</th>
              <th>Quantization</th>
              <th>Fit</th>
              <th>State</th>
              <th>Roles</th>
              <th>Speed</th>
              <th>Actions</th>
            </tr>
          </thead>
          <tbody>
            {snapshot.models.map((m) => (
              <InstalledRow key={m.entry.name} model={m} action={action} />
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function InstalledRow({ model, action }: { model: ModelView; action: Action }) {
  const { entry } = model;
  const name = entry.name;
  const loaded = model.state === 'loaded';
  return (
    <tr>
      <td>
        <strong>{name}</strong>
        <div className="muted mono">
          {entry.kind === 'gguf' ? `${entry.facts.architecture}, ${parameters(entry.facts.parameters)} parameters, context ${entry.facts.contextLength ?? '?'}` : `${entry.endpoint.baseUrl} (${entry.endpoint.model})`}
        </div>
        {model.lastError && <div className="field-error">{model.lastError}</div>}
      </td>
      <td>{entry.kind === 'gguf' ? bytes(entry.sizeBytes) : 'remote'}</td>
      <td>{entry.kind === 'gguf' ? entry.facts.quantization : '—'}</td>
      <td>{model.fit ? <Badge className={`fit-${model.fit.verdict}`} title={model.fit.message}>{FIT_LABEL[model.fit.verdict]}</Badge> : <span className="muted">remote</span>}</td>
      <td>
        <Badge className={`model-state-${model.state}`}>{model.state}</Badge>
        {model.inFlight > 0 && <div className="muted">{model.inFlight} in flight</div>}
        {model.memoryBytes ? <div className="muted">{bytes(model.memoryBytes)}</div> : null}
      </td>
      <td>{model.roles.length ? model.roles.join(', ') : <span className="muted">none</span>}</td>
      <td className="muted">
        {model.metrics.tokensPerSecond !== null ? `${model.metrics.tokensPerSecond.toFixed(1)} tok/s` : '—'}
        {model.metrics.calls > 0 && <div>{Math.round(model.metrics.errorRate * 100)}% errors</div>}
      </td>
      <td>
        <div className="model-actions">
          {loaded ? (
            <button type="button" className="secondary" onClick={() => void action.run(`Unloading ${name}`, () => api.unloadModel({ name }))}>
              Unload
            </button>
          ) : (
            <button type="button" onClick={() => void action.run(`Loading ${name}`, () => api.loadModel({ name }))} disabled={model.state === 'loading' || model.state === 'queued'}>
              Load
            </button>
          )}
          <button type="button" className="secondary" onClick={() => void action.run(`Removing ${name}`, () => api.removeModel({ name }))} disabled={model.roles.length > 0} title={model.roles.length > 0 ? 'Assign its roles to another model first' : undefined}>
            Remove
          </button>
        </div>
      </td>
    </tr>
  );
}

function Roles({ snapshot, action }: { snapshot: ModelsSnapshot; action: Action }) {
  const names = snapshot.models.map((m) => m.entry.name);
  const [choice, setChoice] = useState<Partial<Record<ModelRoleName, string>>>({});
  if (names.length === 0) return null;
  const byRole = new Map(snapshot.roles.map((r) => [r.role, r]));
  return (
    <section className="card" aria-labelledby="roles-title">
      <h2 id="roles-title">Roles</h2>
      <p className="hint">Assign sets a role's model for the next calls. Swap loads and warms the new model first, then switches while calls keep flowing, then unloads the old one if nothing else uses it.</p>
      <div className="role-grid">
        {MODEL_ROLE_NAMES.map((role) => {
          const current = byRole.get(role);
          const selected = choice[role] ?? current?.model ?? names[0]!;
          return (
            <Fragment key={role}>
              <label htmlFor={`role-${role}`}>
                <strong>{role}</strong>
                {current?.canary && (
                  <div className="muted">
                    canary {current.canary.model} ({Math.round(current.canary.share * 100)}%)
                  </div>
                )}
              </label>
              <select id={`role-${role}`} value={selected} onChange={(e) => setChoice((c) => ({ ...c, [role]: e.target.value }))}>
                {names.map((n) => (
                  <option key={n} value={n}>
                    {n}
                    {current?.model === n ? ' (current)' : ''}
                  </option>
                ))}
              </select>
              <div className="model-actions">
                <button type="button" className="secondary" disabled={selected === current?.model} onClick={() => void action.run(`Assigning ${role}`, () => api.assignModelRole({ role, model: selected }))}>
                  Assign
                </button>
                <button type="button" disabled={!current || selected === current.model} onClick={() => void action.run(`Swapping ${role} to ${selected}`, () => api.swapModel({ role, model: selected }))}>
                  Swap
                </button>
                {current?.canary ? (
                  <button type="button" className="secondary" onClick={() => void action.run(`Removing the canary of ${role}`, () => api.clearModelCanary({ role }))}>
                    End canary
                  </button>
                ) : (
                  <button
                    type="button"
                    className="secondary"
                    disabled={!current || selected === current.model}
                    title="Send 10% of this role's calls to the selected model; roll back on errors or slowness"
                    onClick={() => void action.run(`Starting a canary for ${role}`, () => api.setModelCanary({ role, canary: { model: selected, share: 0.1, maxErrorRate: 0.2, maxLatencyMs: 60_000, minSamples: 5 } }))}
                  >
                    Canary 10%
                  </button>
                )}
              </div>
            </Fragment>
          );
        })}
      </div>
    </section>
  );
}

function AddModel({ action }: { action: Action }) {
  const [path, setPath] = useState('');
  const [remote, setRemote] = useState({ name: '', baseUrl: '', model: '', apiKey: '' });
  const [download, setDownload] = useState({ url: '', sha256: '' });
  const startDownload = async (e: FormEvent) => {
    e.preventDefault();
    const sha256 = download.sha256.trim().toLowerCase();
    const ok = await action.run('Starting the download', () => api.startModelDownload({ url: download.url.trim(), ...(sha256 ? { sha256 } : {}) }));
    if (ok) setDownload({ url: '', sha256: '' });
  };
  const addPath = async (e: FormEvent) => {
    e.preventDefault();
    if (await action.run('Reading the model file', () => api.addModel({ path: path.trim() }))) setPath('');
  };
  const addRemote = async (e: FormEvent) => {
    e.preventDefault();
    const ok = await action.run('Adding the endpoint', () =>
      api.addRemoteModel({ name: remote.name.trim(), baseUrl: remote.baseUrl.trim(), model: remote.model.trim(), ...(remote.apiKey ? { apiKey: remote.apiKey } : {}) }),
    );
    if (ok) setRemote({ name: '', baseUrl: '', model: '', apiKey: '' });
  };
  return (
    <section className="card" aria-labelledby="add-title">
      <h2 id="add-title">Add a model</h2>
      <form onSubmit={(e) => void addPath(e)} aria-label="Add a GGUF file by path" className="row">
        <div className="field">
          <label htmlFor="model-path">GGUF file (absolute path)</label>
          <input id="model-path" className="mono" value={path} placeholder="/Users/you/models/model.gguf" onChange={(e) => setPath(e.target.value)} />
        </div>
        <div>
          <button type="submit" disabled={!path.trim()} style={{ marginTop: 22 }}>
            Add file
          </button>
        </div>
      </form>
      <form onSubmit={(e) => void startDownload(e)} aria-label="Download a GGUF file by URL" className="row">
        <div className="field">
          <label htmlFor="download-url">Download by URL</label>
          <input id="download-url" className="mono" value={download.url} placeholder="https://…/model.gguf" onChange={(e) => setDownload({ ...download, url: e.target.value })} />
        </div>
        <div className="field">
          <label htmlFor="download-sha">sha256 (checked before the file is registered)</label>
          <input id="download-sha" className="mono" value={download.sha256} placeholder="64 hex digits" onChange={(e) => setDownload({ ...download, sha256: e.target.value })} />
        </div>
        <div>
          <button type="submit" disabled={!download.url.trim()} style={{ marginTop: 22 }}>
            Download
          </button>
        </div>
      </form>
      <form onSubmit={(e) => void addRemote(e)} aria-label="Add an OpenAI-compatible endpoint">
        <fieldset>
          <legend>OpenAI-compatible endpoint (llama.cpp server, Ollama, vLLM, LM Studio)</legend>
          <div className="row">
            <div className="field">
              <label htmlFor="remote-name">Name</label>
              <input id="remote-name" value={remote.name} placeholder="big-llama" onChange={(e) => setRemote({ ...remote, name: e.target.value })} />
            </div>
            <div className="field">
              <label htmlFor="remote-url">Base URL</label>
              <input id="remote-url" className="mono" value={remote.baseUrl} placeholder="http://127.0.0.1:8080/v1" onChange={(e) => setRemote({ ...remote, baseUrl: e.target.value })} />
            </div>
            <div className="field">
              <label htmlFor="remote-model">Model at the endpoint</label>
              <input id="remote-model" value={remote.model} placeholder="llama3.1:70b" onChange={(e) => setRemote({ ...remote, model: e.target.value })} />
            </div>
            <div className="field">
              <label htmlFor="remote-key">API key (optional)</label>
              <input id="remote-key" type="password" value={remote.apiKey} onChange={(e) => setRemote({ ...remote, apiKey: e.target.value })} />
            </div>
          </div>
          <button type="submit" disabled={!remote.name.trim() || !remote.baseUrl.trim() || !remote.model.trim()}>
            Add endpoint
          </button>
        </fieldset>
      </form>
    </section>
  );
}

function Downloads({ snapshot, action }: { snapshot: ModelsSnapshot; action: Action }) {
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

function Catalogue({ snapshot, action }: { snapshot: ModelsSnapshot; action: Action }) {
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
