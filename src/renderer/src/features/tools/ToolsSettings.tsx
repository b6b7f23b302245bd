import { useState } from 'react';
import { api } from '../../api';
import { AddServerForm } from './AddServerForm';
import { ToolCatalogue } from './ToolCatalogue';
import { WorkspaceFilesPreset } from './WorkspaceFilesPreset';
import { useTools, type ServerStatus } from './use-tools';
import './tools.css';

const PERMISSIONS = ['always', 'ask', 'never'] as const;

/**
 * Settings › Tools: the MCP servers (health, restart, remove, default permission), their tools
 * (per-tool permission, preferred server for shared names) and the standing approvals.
 */
export function ToolsSettings() {
  const { servers, listing, grants, error, reload } = useTools();
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const report = (text: string, ok: boolean) => setMessage({ ok, text });

  const restart = async (name: string) => {
    const r = await api.restartToolServer({ name });
    report(r.ok ? `${name} is ${r.value.health}.` : r.error.message, r.ok);
    void reload();
  };
  const remove = async (name: string) => {
    const r = await api.removeToolServer({ name });
    report(r.ok ? `${name} removed.` : r.error.message, r.ok);
    void reload();
  };
  const setDefault = async (server: string, value: string) => {
    const permission = PERMISSIONS.find((p) => p === value);
    if (!permission) return;
    const r = await api.setToolPermission({ server, permission });
    if (!r.ok) report(r.error.message, false);
    void reload();
  };

  return (
    <>
      <section className="card" aria-labelledby="tools-servers-title">
        <h3 id="tools-servers-title">Tool servers (MCP)</h3>
        <p className="hint">Servers come from here or from mcp.json in the data folder (read-only here; an entry added here with the same name replaces it).</p>
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
        {!servers && !error && <p role="status">Loading tool servers…</p>}
        {servers && servers.length === 0 && <p className="muted">No tool servers configured.</p>}
        {servers && servers.length > 0 && (
          <table className="tools-table">
            <thead>
              <tr>
                <th scope="col">Server</th>
                <th scope="col">Health</th>
                <th scope="col">Default permission</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {servers.map((s) => (
                <ServerRow key={s.name} server={s} onRestart={restart} onRemove={remove} onDefault={setDefault} />
              ))}
            </tbody>
          </table>
        )}
        {message && (
          <p className={message.ok ? 'form-ok' : 'form-error'} role={message.ok ? 'status' : 'alert'}>
            {message.text}
          </p>
        )}
      </section>
      <WorkspaceFilesPreset installed={Boolean(servers?.some((s) => s.name === 'workspace-files'))} onChanged={() => void reload()} />
      <AddServerForm onChanged={() => void reload()} />
      {listing && <ToolCatalogue listing={listing} grants={grants} onChanged={() => void reload()} report={report} />}
    </>
  );
}

function ServerRow({
  server: s,
  onRestart,
  onRemove,
  onDefault,
}: {
  server: ServerStatus;
  onRestart: (name: string) => Promise<void>;
  onRemove: (name: string) => Promise<void>;
  onDefault: (name: string, value: string) => Promise<void>;
}) {
  return (
    <tr data-server={s.name}>
      <td>
        <strong>{s.name}</strong> <span className="badge">{s.source === 'file' ? 'mcp.json' : 'settings'}</span>
        <div className="muted">
          <code>{s.target}</code>
        </div>
        {s.envKeys.length > 0 && <div className="muted">env: {s.envKeys.join(', ')}</div>}
        {s.headerKeys.length > 0 && <div className="muted">headers: {s.headerKeys.join(', ')}</div>}
      </td>
      <td>
        <span className="badge tools-health" data-health={s.health}>
          {s.health}
        </span>
        <div className="muted">
          {s.tools} tools{s.pid ? `, pid ${s.pid}` : ''}
          {s.restarts > 0 ? `, ${s.restarts} restarts` : ''}
          {s.nextRetryAt ? `, next try ${new Date(s.nextRetryAt).toLocaleTimeString()}` : ''}
        </div>
        {s.lastError && <div className="field-error">{s.lastError}</div>}
      </td>
      <td>
        <label className="tools-sr-only" htmlFor={`server-perm-${s.name}`}>
          Default permission of {s.name}
        </label>
        <select id={`server-perm-${s.name}`} value={s.permission} onChange={(e) => void onDefault(s.name, e.target.value)}>
          {PERMISSIONS.map((p) => (
            <option key={p} value={p}>
              {p}
            </option>
          ))}
        </select>
      </td>
      <td className="tools-actions">
        <button type="button" disabled={!s.enabled} onClick={() => void onRestart(s.name)}>
          {s.health === 'running' ? 'Restart' : 'Start'}
        </button>
        {s.source === 'settings' && (
          <button type="button" onClick={() => void onRemove(s.name)}>
            Remove
          </button>
        )}
      </td>
    </tr>
  );
}
