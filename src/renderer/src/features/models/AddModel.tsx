import { useState, type FormEvent } from 'react';
import { api } from '../../api';
import type { Action } from './use-action';

export function AddModel({ action }: { action: Action }) {
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
