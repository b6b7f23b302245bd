import { useState } from 'react';
import type { LogLineView } from '../../../../shared/channels/logs';
import { api } from '../../api';

/** The host's log lines about this task (each carries the task's trace id), loaded on demand. */
export function TaskLogs({ taskId }: { taskId: string }) {
  const [lines, setLines] = useState<LogLineView[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = async () => {
    const r = await api.getLogs({ taskId, limit: 500 });
    if (r.ok) setLines(r.value);
    else setError(r.error.message);
  };
  return (
    <section className="card" aria-labelledby="logs-title">
      <h3 id="logs-title">Logs</h3>
      {error ? <p role="alert">{error}</p> : null}
      <button type="button" onClick={() => void load()}>
        {lines ? 'Refresh logs' : 'Show logs'}
      </button>
      {lines ? (
        lines.length ? (
          <pre className="log-lines" aria-label="Log lines">
            {lines.map((l) => `${new Date(l.time).toISOString()} ${l.level.padEnd(5)} ${l.msg}${l.fields !== '{}' ? ` ${l.fields}` : ''}`).join('\n')}
          </pre>
        ) : (
          <p>No log lines about this task (the log is written by a host: agent-agency serve or the desktop app).</p>
        )
      ) : null}
      {lines?.[0]?.traceId ? <p>Trace id: <code>{lines[0].traceId}</code></p> : null}
    </section>
  );
}
