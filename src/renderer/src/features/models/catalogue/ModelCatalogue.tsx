import { useMemo, useState, type FormEvent } from 'react';
import type { ModelsSnapshot } from '../../../../../shared/channels/models';
import type { FitVerdict, ModelRoleName } from '../../../../../shared/domain/model';
import { MODEL_ROLE_NAMES } from '../../../../../shared/domain/model';
import type { Result } from '../../../../../shared/errors';
import { api } from '../../../api';
import { machineLabel } from './machine-label';
import './catalogue.css';

export type RunAction = (label: string, call: () => Promise<Result<unknown>>) => Promise<boolean>;

const FIT: Record<FitVerdict, string> = { fits: 'fits', tight: 'tight', too_large: 'too large', unknown: 'fit unknown' };
const gb = (b: number) => (b >= 1024 ** 3 ? `${(b / 1024 ** 3).toFixed(1)} GB` : `${Math.round(b / 1024 ** 2)} MB`);

/** `owner/name` of a Hugging Face repository, and a `.gguf` file in it. */
const HF_REPO = /^[A-Za-z0-9][A-Za-z0-9._-]*\/[A-Za-z0-9][A-Za-z0-9._-]*$/;
const GGUF_FILE = /^[^\\]+\.gguf$/i;

/**
 * The catalogue for this machine: search and filter, each entry with why it is there, size,
 * quantization, context, memory at that context, license, fit badge and whether its checksum is
 * verified; and any GGUF by Hugging Face repository and file name.
 */
export function ModelCatalogue({ snapshot, run }: { snapshot: ModelsSnapshot; run: RunAction }) {
  const [query, setQuery] = useState('');
  const [fit, setFit] = useState<'all' | FitVerdict>('all');
  const [role, setRole] = useState<'all' | ModelRoleName>('all');
  const downloading = new Set(snapshot.downloads.filter((d) => d.state === 'running' || d.state === 'paused' || d.state === 'verifying').map((d) => d.fileName));
  const shown = useMemo(() => {
    const q = query.trim().toLowerCase();
    return snapshot.catalogue.filter(
      (c) =>
        (fit === 'all' || c.fit === fit) &&
        (role === 'all' || c.entry.goodFor.includes(role)) &&
        (!q || `${c.entry.name} ${c.entry.id} ${c.entry.description} ${c.entry.why ?? ''} ${c.entry.license}`.toLowerCase().includes(q)),
    );
  }, [snapshot.catalogue, query, fit, role]);

  return (
    <section className="card" aria-labelledby="catalogue-title">
      <h2 id="catalogue-title">Recommended for this machine</h2>
      <p className="muted" id="catalogue-machine">
        {machineLabel(snapshot.machine)} — models may use {gb(snapshot.machine.budgetBytes)}.
      </p>
      <div className="list-header catalogue-filters" role="search" aria-label="Filter the catalogue">
        <input type="search" aria-label="Search the catalogue" placeholder="Search: coder, gemma, apache…" value={query} onChange={(e) => setQuery(e.target.value)} />
        <select aria-label="Fit on this machine" value={fit} onChange={(e) => setFit(e.target.value as 'all' | FitVerdict)}>
          <option value="all">any fit</option>
          <option value="fits">fits</option>
          <option value="tight">tight</option>
          <option value="too_large">too large</option>
          <option value="unknown">unknown</option>
        </select>
        <select aria-label="Good for role" value={role} onChange={(e) => setRole(e.target.value as 'all' | ModelRoleName)}>
          <option value="all">any role</option>
          {MODEL_ROLE_NAMES.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
      </div>
      {shown.length === 0 ? <p className="empty">No catalogue model matches.</p> : null}
      <ul className="catalogue-list" aria-label="Model catalogue">
        {shown.map((c) => (
          <li key={c.entry.id} className="catalogue-entry">
            <div className="catalogue-main">
              <strong>{c.entry.name}</strong> <span className={`badge fit-${c.fit}`} title={c.fitMessage}>{FIT[c.fit]}</span>{' '}
              <span className={c.entry.sha256 ? 'badge checksum-ok' : 'badge checksum-unverified'}>{c.entry.sha256 ? 'checksum verified' : 'checksum not verified'}</span>
              <p className="muted">{c.entry.description}</p>
              {c.entry.why ? <p className="catalogue-why">{c.entry.why}</p> : null}
              <p className="muted">
                {gb(c.entry.sizeBytes)} · {c.entry.quantization} · {c.entry.parameters} · context {c.entry.contextSize.toLocaleString()} · needs {gb(c.entry.memoryBytes)} at that context · {c.entry.license} · good for{' '}
                {c.entry.goodFor.join(', ')}
              </p>
              <p className="muted">{c.fitMessage}</p>
            </div>
            <div>
              {c.installed ? (
                <span className="muted">installed</span>
              ) : (
                <button
                  type="button"
                  aria-label={`Download ${c.entry.name}`}
                  disabled={downloading.has(c.entry.fileName) || c.fit === 'too_large'}
                  title={c.fit === 'too_large' ? c.fitMessage : undefined}
                  onClick={() => void run(`Starting the download of ${c.entry.name}`, () => api.startModelDownload({ catalogueId: c.entry.id }))}
                >
                  Download
                </button>
              )}
            </div>
          </li>
        ))}
      </ul>
      <HuggingFaceForm run={run} />
    </section>
  );
}

function HuggingFaceForm({ run }: { run: RunAction }) {
  const [repo, setRepo] = useState('');
  const [file, setFile] = useState('');
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const r = repo.trim().replace(/^https:\/\/huggingface\.co\//, '');
    const f = file.trim();
    if (!HF_REPO.test(r)) return setError('repository: use owner/name, like Qwen/Qwen2.5-Coder-7B-Instruct-GGUF');
    if (!GGUF_FILE.test(f)) return setError('file: a .gguf file in that repository, like qwen2.5-coder-7b-instruct-q4_k_m.gguf');
    setError(null);
    const url = `https://huggingface.co/${r}/resolve/main/${f.split('/').map(encodeURIComponent).join('/')}`;
    if (await run(`Starting the download of ${f}`, () => api.startModelDownload({ url }))) {
      setRepo('');
      setFile('');
    }
  };
  return (
    <form className="hf-form" aria-labelledby="hf-title" onSubmit={(e) => void submit(e)}>
      <h3 id="hf-title">Any GGUF from Hugging Face</h3>
      <div className="row">
        <div className="field">
          <label htmlFor="hf-repo">Repository</label>
          <input id="hf-repo" value={repo} placeholder="Qwen/Qwen2.5-Coder-7B-Instruct-GGUF" onChange={(e) => setRepo(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="hf-file">File</label>
          <input id="hf-file" value={file} placeholder="qwen2.5-coder-7b-instruct-q4_k_m.gguf" onChange={(e) => setFile(e.target.value)} />
        </div>
      </div>
      <p className="hint">Downloaded as the publisher serves it (checksum not verified); its header is read and checked before it is registered.</p>
      {error ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
      <button type="submit">Download from Hugging Face</button>
    </form>
  );
}
