import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { KnowledgeAddResult, KnowledgeEntry, KnowledgeHit } from '../../../../shared/domain/knowledge';
import { api } from '../../api';
import { href } from '../../router';
import './knowledge.css';

/**
 * The knowledge base the planner and the claim verifier read: add documents, PDFs and images by path
 * (the app reads them on its own machine), search it — ranked chunks with where each came from — and
 * list or remove entries.
 */
export function KnowledgePage() {
  const [entries, setEntries] = useState<KnowledgeEntry[]>([]);
  const [withAttachments, setWithAttachments] = useState(false);
  const [paths, setPaths] = useState('');
  const [added, setAdded] = useState<KnowledgeAddResult[]>([]);
  const [adding, setAdding] = useState(false);
  const [query, setQuery] = useState('');
  const [hits, setHits] = useState<KnowledgeHit[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    const r = await api.listKnowledge(withAttachments ? { includeAttachments: true } : {});
    if (r.ok) setEntries(r.value);
    else setError(r.error.message);
  }, [withAttachments]);
  useEffect(() => {
    const t = setTimeout(() => void load(), 0);
    return () => clearTimeout(t);
  }, [load]);

  const add = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    const list = paths.split('\n').map((p) => p.trim()).filter(Boolean);
    if (list.length === 0) {
      setError('paths: name at least one file (an absolute path per line)');
      return;
    }
    setAdding(true);
    const r = await api.addKnowledge({ paths: list });
    setAdding(false);
    if (!r.ok) {
      setError(r.error.message);
      return;
    }
    setAdded(r.value);
    if (r.value.every((x) => x.status !== 'refused')) setPaths('');
    await load();
  };

  const search = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    const r = await api.searchKnowledge({ query, limit: 10 });
    if (!r.ok) {
      setError(r.error.message);
      return;
    }
    setHits(r.value);
  };

  const remove = async (entry: KnowledgeEntry) => {
    const r = await api.removeKnowledge({ id: entry.id });
    if (!r.ok) setError(r.error.message);
    setHits(null);
    await load();
  };

  return (
    <section aria-labelledby="knowledge-heading" className="knowledge-page">
      <h1 id="knowledge-heading" className="page-heading" tabIndex={-1}>
        Knowledge
      </h1>
      <p className="hint">
        Documents, Markdown, PDFs (read by page) and images (read by OCR) that the planner retrieves and cites by file and location. Tasks add their own
        attachments for themselves.
      </p>
      {error ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}

      <form className="card" onSubmit={(e) => void add(e)} aria-label="Add to the knowledge base">
        <h2>Add files</h2>
        <div className="field">
          <label htmlFor="knowledge-paths">Absolute paths on this machine, one per line</label>
          <textarea id="knowledge-paths" rows={3} value={paths} onChange={(e) => setPaths(e.target.value)} placeholder="/Users/you/docs/architecture.pdf" />
        </div>
        <button type="submit" disabled={adding}>
          {adding ? 'Reading…' : 'Add'}
        </button>
        {added.length > 0 ? (
          <ul aria-label="Added files" data-testid="knowledge-added">
            {added.map((a) => (
              <li key={a.file} className={a.status === 'refused' ? 'form-error' : undefined}>
                <span className="mono">{a.file}</span>: {a.status === 'refused' ? `refused — ${a.reason}` : `${a.status} (${a.extraction}, ${a.chunks} chunks)`}
              </li>
            ))}
          </ul>
        ) : null}
      </form>

      <form className="card" onSubmit={(e) => void search(e)} role="search" aria-label="Search the knowledge base">
        <h2>Search</h2>
        <div className="field">
          <label htmlFor="knowledge-query">Query</label>
          <input id="knowledge-query" value={query} onChange={(e) => setQuery(e.target.value)} placeholder="which port does the collector listen on" />
        </div>
        <button type="submit">Search</button>
        {hits !== null ? (
          hits.length === 0 ? (
            <p role="status">No chunk matches.</p>
          ) : (
            <ol className="knowledge-hits" aria-label="Ranked chunks" data-testid="knowledge-hits">
              {hits.map((h, i) => (
                <li key={`${h.entityId}:${h.location}:${i}`}>
                  <div>
                    <strong>{h.title}</strong> — <span data-testid="hit-location">{h.location}</span>
                    {h.extraction === 'ocr' ? <span className="badge">OCR</span> : null} <span className="muted">score {h.score}</span>
                  </div>
                  <div className="mono muted">{h.source}</div>
                  <blockquote>{h.text.length > 600 ? `${h.text.slice(0, 600)}…` : h.text}</blockquote>
                </li>
              ))}
            </ol>
          )
        ) : null}
      </form>

      <section className="card" aria-labelledby="knowledge-entries">
        <h2 id="knowledge-entries">Entries ({entries.length})</h2>
        <label>
          <input type="checkbox" checked={withAttachments} onChange={(e) => setWithAttachments(e.target.checked)} /> Show tasks’ attachments too
        </label>
        {entries.length === 0 ? (
          <p>Nothing yet. Add files above, or with: agent-agency knowledge add FILE…</p>
        ) : (
          <table className="gov-table" aria-label="Knowledge entries">
            <thead>
              <tr>
                <th scope="col">Title</th>
                <th scope="col">Read as</th>
                <th scope="col">Chunks</th>
                <th scope="col">Source</th>
                <th scope="col">Added</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <tr key={e.id} data-testid={`knowledge-entry-${e.title}`}>
                  <td>
                    {e.title}
                    {e.taskId ? (
                      <>
                        {' '}
                        <a href={href({ page: 'task', id: e.taskId })} className="muted">
                          (attachment of {e.taskId})
                        </a>
                      </>
                    ) : null}
                  </td>
                  <td>{e.extraction === 'ocr' ? 'image (OCR)' : e.extraction === 'pdf' ? 'PDF pages' : 'text'}</td>
                  <td>{e.chunks}</td>
                  <td className="mono">{e.source}</td>
                  <td>{new Date(e.addedAt).toLocaleString()}</td>
                  <td>
                    <button type="button" className="link-button" onClick={() => void remove(e)} aria-label={`Remove ${e.title}`}>
                      Remove
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </section>
  );
}
