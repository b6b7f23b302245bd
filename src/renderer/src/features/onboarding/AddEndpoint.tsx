import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api } from '../../api';
import { keys } from '../../queries/client';
import { toModelName } from './model-name';

/** Option 3: any OpenAI-compatible endpoint (vLLM, a llama.cpp server elsewhere, a hosted one). */
export function AddEndpoint() {
  const client = useQueryClient();
  const [baseUrl, setBaseUrl] = useState('http://127.0.0.1:8080/v1');
  const [model, setModel] = useState('');
  const [apiKey, setApiKey] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const r = await api.addRemoteModel({ name: toModelName(model), baseUrl, model, ...(apiKey ? { apiKey } : {}) });
    setBusy(false);
    if (!r.ok) return setError(r.error.issues?.map((i) => `${i.path}: ${i.message}`).join('; ') || r.error.message);
    setModel('');
    await client.invalidateQueries({ queryKey: keys.models });
  };

  return (
    <form className="onboarding-option" aria-labelledby="endpoint-title" onSubmit={(e) => void submit(e)}>
      <h3 id="endpoint-title">3. Add an OpenAI-compatible endpoint</h3>
      <div className="row">
        <div className="field">
          <label htmlFor="endpoint-url">Base URL</label>
          <input id="endpoint-url" value={baseUrl} onChange={(e) => setBaseUrl(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="endpoint-model">Model</label>
          <input id="endpoint-model" value={model} placeholder="qwen2.5-coder-7b-instruct" onChange={(e) => setModel(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="endpoint-key">API key (optional)</label>
          <input id="endpoint-key" type="password" value={apiKey} onChange={(e) => setApiKey(e.target.value)} />
        </div>
      </div>
      {error ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
      <button type="submit" disabled={busy || !model.trim()}>
        {busy ? 'Adding…' : 'Add endpoint'}
      </button>
    </form>
  );
}
