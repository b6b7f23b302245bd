import { useState, type FormEvent } from 'react';
import { EXPLORER_LIMITS, type ExplorerQueryResult } from '../../../../shared/channels/explorer';
import { api } from '../../api';
import { ResultGrid } from './CellValue';

/** The read-only SQL box: any statement that returns rows, bounded in rows and time. */
export function SqlBox({ initialSql }: { initialSql: string }) {
  const [sql, setSql] = useState(initialSql);
  const [rowLimit, setRowLimit] = useState<number>(EXPLORER_LIMITS.defaultRows);
  const [timeLimitS, setTimeLimitS] = useState<number>(EXPLORER_LIMITS.defaultTimeMs / 1000);
  const [result, setResult] = useState<ExplorerQueryResult | null>(null);
  const [error, setError] = useState<{ code: string; message: string } | null>(null);
  const [busy, setBusy] = useState(false);

  const run = async (e?: FormEvent) => {
    e?.preventDefault();
    if (!sql.trim() || busy) return;
    setBusy(true);
    setError(null);
    const r = await api.runExplorerQuery({ sql, rowLimit, timeLimitMs: Math.round(timeLimitS * 1000) });
    setBusy(false);
    if (r.ok) {
      setResult(r.value);
    } else {
      setResult(null);
      setError(r.error);
    }
  };

  return (
    <section className="card" aria-labelledby="sql-title">
      <h3 id="sql-title">SQL (read-only)</h3>
      <form onSubmit={(e) => void run(e)} aria-label="Run a read-only query">
        <div className="field">
          <label htmlFor="sql">Query</label>
          <textarea
            id="sql"
            className="mono"
            rows={4}
            value={sql}
            spellCheck={false}
            onChange={(e) => setSql(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && (e.metaKey || e.ctrlKey)) void run();
            }}
            aria-describedby="sql-help"
          />
          <span id="sql-help" className="hint">
            Runs on a read-only connection; only statements that return rows. Ctrl/⌘ + Enter runs it.
          </span>
        </div>
        <div className="row">
          <div className="field">
            <label htmlFor="row-limit">Row limit</label>
            <input
              id="row-limit"
              type="number"
              min={1}
              max={EXPLORER_LIMITS.maxRows}
              value={rowLimit}
              onChange={(e) => setRowLimit(Math.max(1, Math.min(EXPLORER_LIMITS.maxRows, Number(e.target.value) || 1)))}
            />
          </div>
          <div className="field">
            <label htmlFor="time-limit">Time limit (seconds)</label>
            <input
              id="time-limit"
              type="number"
              min={EXPLORER_LIMITS.minTimeMs / 1000}
              max={EXPLORER_LIMITS.maxTimeMs / 1000}
              step={0.1}
              value={timeLimitS}
              onChange={(e) => setTimeLimitS(Math.max(0.1, Math.min(60, Number(e.target.value) || 0.1)))}
            />
          </div>
        </div>
        <button type="submit" disabled={busy}>
          {busy ? 'Running…' : 'Run query'}
        </button>
      </form>
      {error && (
        <p className="form-error query-error" role="alert" data-code={error.code}>
          {error.code === 'forbidden' ? 'Refused: ' : error.code === 'timeout' ? 'Stopped: ' : 'Error: '}
          {error.message}
        </p>
      )}
      {result && (
        <>
          <p className="muted" role="status" data-testid="query-status">
            {result.rows.length} {result.rows.length === 1 ? 'row' : 'rows'} in {Math.round(result.elapsedMs)} ms
            {result.truncated ? ` — stopped at the row limit` : ''}
          </p>
          <ResultGrid columns={result.columns} rows={result.rows} label="Query result" />
        </>
      )}
    </section>
  );
}
