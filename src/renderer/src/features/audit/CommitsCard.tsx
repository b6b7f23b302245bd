import { useCallback, useEffect, useState } from 'react';
import type { AuditCommit } from '../../../../shared/channels/provenance';
import { api } from '../../api';
import { href } from '../../router';

export function CommitsCard() {
  const [commits, setCommits] = useState<AuditCommit[] | null>(null);
  const [filter, setFilter] = useState('');
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async (taskId: string) => {
    setError(null);
    const r = await api.listAuditCommits(/^tsk_[0-9a-z]{10,40}$/.test(taskId) ? { taskId, limit: 200 } : { limit: 200 });
    if (!r.ok) setError(r.error.message);
    else setCommits(r.value);
  }, []);

  useEffect(() => {
    let live = true;
    void api.listAuditCommits({ limit: 200 }).then((r) => {
      if (!live) return;
      if (!r.ok) setError(r.error.message);
      else setCommits(r.value);
    });
    return () => {
      live = false;
    };
  }, []);

  return (
    <section className="card" aria-labelledby="audit-commits-title">
      <div className="list-header">
        <h2 id="audit-commits-title">Audit repository</h2>
        <input type="search" aria-label="Filter commits by task id" placeholder="tsk_…" value={filter} onChange={(e) => setFilter(e.target.value.trim())} />
        <button type="button" onClick={() => void load(filter)}>
          Refresh
        </button>
      </div>
      <p className="hint">A git repository in the data folder (audit.git): one branch per task, one commit per sync of its records.</p>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      {commits && commits.length === 0 && <p className="empty">No commits yet: a task is mirrored when it ends or is exported.</p>}
      {commits && commits.length > 0 && (
        <table className="task-table" aria-label="Audit commits">
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Task</th>
              <th scope="col">Commit</th>
              <th scope="col">Records</th>
            </tr>
          </thead>
          <tbody>
            {commits
              .filter((c) => !filter || c.taskId.includes(filter))
              .map((c) => (
                <tr key={c.oid}>
                  <td>
                    <time dateTime={new Date(c.timestamp * 1000).toISOString()}>{new Date(c.timestamp * 1000).toLocaleString()}</time>
                  </td>
                  <td>
                    <a className="mono" href={href({ page: 'task', id: c.taskId })}>
                      {c.taskId}
                    </a>
                  </td>
                  <td className="mono" title={c.oid}>
                    {c.oid.slice(0, 12)}
                  </td>
                  <td>{c.message.split('\n')[0]}</td>
                </tr>
              ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
