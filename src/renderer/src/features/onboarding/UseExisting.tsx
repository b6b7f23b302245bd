import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../api';
import { keys, unwrap } from '../../queries/client';
import { toModelName } from './model-name';

const SERVER_NAME = { ollama: 'Ollama', lmstudio: 'LM Studio', 'llama.cpp': 'llama.cpp server', openai: 'OpenAI-compatible server' } as const;
const gib = (b: number) => `${(b / 1024 ** 3).toFixed(1)} GB`;

/** Option 1: models this machine already has, in running local servers and in LM Studio's and Ollama's folders. */
export function UseExisting() {
  const client = useQueryClient();
  const local = useQuery({ queryKey: keys.localServers, queryFn: () => unwrap(api.discoverLocalModels({})), staleTime: 10_000 });
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const add = async (id: string, call: () => ReturnType<typeof api.addRemoteModel>) => {
    setBusy(id);
    setError(null);
    const r = await call();
    setBusy(null);
    if (!r.ok) return setError(r.error.message);
    await client.invalidateQueries({ queryKey: keys.models });
    await client.invalidateQueries({ queryKey: keys.localServers });
  };

  const servers = local.data?.servers ?? [];
  const files = (local.data?.files ?? []).filter((f) => !f.registered);
  return (
    <section className="onboarding-option" aria-labelledby="use-existing-title">
      <h3 id="use-existing-title">1. Use the models you already have</h3>
      {local.isPending ? <p role="status">Looking for Ollama, LM Studio and llama.cpp servers on this machine…</p> : null}
      {local.error ? <p className="form-error">{local.error.message}</p> : null}
      {local.data && servers.length === 0 && files.length === 0 ? (
        <p className="muted">
          No running local model server (Ollama on 11434, LM Studio on 1234, llama.cpp on 8080) and no GGUF files in LM Studio’s or Ollama’s folders. Start one and{' '}
          <button type="button" className="link-button" onClick={() => void local.refetch()}>
            look again
          </button>
          .
        </p>
      ) : null}
      {servers.map((s) => (
        <div key={s.baseUrl} className="found-server">
          <p>
            <strong>{SERVER_NAME[s.kind]}</strong> at <span className="mono">{s.baseUrl}</span> — {s.models.length} model(s)
          </p>
          <ul className="found-list" aria-label={`Models on ${SERVER_NAME[s.kind]}`}>
            {s.models.map((m) => (
              <li key={m}>
                <span className="mono">{m}</span>
                <button
                  type="button"
                  disabled={busy !== null}
                  aria-label={`Use ${m}`}
                  onClick={() => void add(`${s.baseUrl}|${m}`, () => api.addRemoteModel({ name: toModelName(m), baseUrl: s.baseUrl, model: m }))}
                >
                  {busy === `${s.baseUrl}|${m}` ? 'Adding…' : 'Use'}
                </button>
              </li>
            ))}
          </ul>
        </div>
      ))}
      {files.length > 0 ? (
        <>
          <p>GGUF files already on disk (added by reference; nothing is copied):</p>
          <ul className="found-list" aria-label="GGUF files on disk">
            {files.map((f) => (
              <li key={f.path}>
                <span>
                  <span className="mono">{f.name}</span> <span className="muted">({f.source === 'lmstudio' ? 'LM Studio' : 'Ollama'}, {gib(f.sizeBytes)})</span>
                </span>
                <button type="button" disabled={busy !== null} aria-label={`Add ${f.name}`} onClick={() => void add(f.path, () => api.addModel({ path: f.path, name: toModelName(f.name) }))}>
                  {busy === f.path ? 'Adding…' : 'Add'}
                </button>
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {error ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
    </section>
  );
}
