import { useCallback, useEffect, useState } from 'react';
import type { ExplorerTable } from '../../../../shared/channels/explorer';
import { api } from '../../api';
import { RowsView } from './RowsView';
import { SqlBox } from './SqlBox';

/** The database explorer: tables with counts and schema, their rows, and a read-only SQL box. */
export function ExplorerPage() {
  const [tables, setTables] = useState<ExplorerTable[] | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(() => {
    void api.listExplorerTables({}).then((r) => {
      if (!r.ok) {
        setError(r.error.message);
        return;
      }
      setError(null);
      setTables(r.value);
      setSelected((s) => s ?? r.value.find((t) => t.name === 'tasks')?.name ?? r.value[0]?.name ?? null);
    });
  }, []);
  useEffect(load, [load]);

  const table = tables?.find((t) => t.name === selected);

  return (
    <>
      <section className="card" aria-labelledby="page-title">
        <div className="list-header">
          <h2 id="page-title">Explorer</h2>
          <button type="button" className="secondary" onClick={load}>
            Refresh
          </button>
        </div>
        <p className="hint">The app database, read-only: nothing here can change it.</p>
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
        {!tables && !error && <p role="status">Loading tables…</p>}
        {tables && (
          <div className="explorer">
            <nav aria-label="Tables" className="table-list">
              <ul>
                {tables.map((t) => (
                  <li key={t.name}>
                    <button
                      type="button"
                      className="table-button"
                      aria-current={t.name === selected ? 'true' : undefined}
                      onClick={() => setSelected(t.name)}
                      data-table={t.name}
                    >
                      <span className="mono">{t.name}</span>
                      <span className="muted">
                        {t.kind !== 'table' ? `${t.kind} · ` : ''}
                        {t.rowCount === null ? '? rows' : `${t.rowCount.toLocaleString()} ${t.rowCount === 1 ? 'row' : 'rows'}`}
                      </span>
                    </button>
                  </li>
                ))}
              </ul>
            </nav>
            {table && (
              <div className="table-detail">
                <h3 className="mono">{table.name}</h3>
                <details>
                  <summary>Schema ({table.columns.length} columns)</summary>
                  <table className="data-grid" aria-label={`Schema of ${table.name}`}>
                    <thead>
                      <tr>
                        <th scope="col">Column</th>
                        <th scope="col">Type</th>
                        <th scope="col">Not null</th>
                        <th scope="col">Primary key</th>
                        <th scope="col">Default</th>
                      </tr>
                    </thead>
                    <tbody>
                      {table.columns.map((c) => (
                        <tr key={c.name}>
                          <td className="mono">{c.name}</td>
                          <td className="mono">{c.type || '—'}</td>
                          <td>{c.notNull ? 'yes' : ''}</td>
                          <td>{c.primaryKey > 0 ? c.primaryKey : ''}</td>
                          <td className="mono">{c.defaultValue ?? ''}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                  {table.sql && <pre className="mono schema-sql">{table.sql}</pre>}
                </details>
                <RowsView key={table.name} table={table} />
              </div>
            )}
          </div>
        )}
      </section>
      <SqlBox initialSql="SELECT state_kind, count(*) AS tasks FROM tasks GROUP BY state_kind" />
    </>
  );
}
