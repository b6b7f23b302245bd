import { api } from '../../api';
import type { Grant, Listing } from './use-tools';

const PERMISSIONS = ['always', 'ask', 'never'] as const;
type Permission = (typeof PERMISSIONS)[number];
const asPermission = (v: string): Permission | null => (PERMISSIONS as readonly string[]).includes(v) ? (v as Permission) : null;

/**
 * Every tool, namespaced by server, with its permission (its own, or inherited from the server);
 * the bare names several servers offer, with the preferred server; and the standing grants.
 */
export function ToolCatalogue({ listing, grants, onChanged, report }: { listing: Listing; grants: Grant[]; onChanged: () => void; report: (text: string, ok: boolean) => void }) {
  const setPermission = async (server: string, tool: string, value: string) => {
    const r = await api.setToolPermission({ server, tool, permission: asPermission(value) });
    if (!r.ok) report(r.error.message, false);
    onChanged();
  };
  const setPreference = async (name: string, server: string) => {
    const r = await api.setToolPreference({ name, server: server === '' ? null : server });
    if (!r.ok) report(r.error.message, false);
    onChanged();
  };
  const revoke = async (id: number) => {
    const r = await api.revokeToolGrant({ id, actor: { who: 'user', via: 'window' } });
    report(r.ok ? `Grant ${id} revoked; the tool asks again.` : r.error.message, r.ok);
    onChanged();
  };

  return (
    <>
      <section className="card" aria-labelledby="tools-list-title">
        <h3 id="tools-list-title">Tools</h3>
        <p className="hint">Ask stops the task until someone approves the call (once, for the task, or always). Paths a tool names must be inside the task workspace.</p>
        {listing.tools.length === 0 ? (
          <p className="muted">No tools yet: add a server, or start one above.</p>
        ) : (
          <table className="tools-table">
            <thead>
              <tr>
                <th scope="col">Tool</th>
                <th scope="col">Kind</th>
                <th scope="col">Permission</th>
              </tr>
            </thead>
            <tbody>
              {listing.tools.map((t) => (
                <tr key={t.name} data-tool={t.name}>
                  <td>
                    <code>{t.name}</code>
                    {t.conflict && <span className="badge">{t.preferred ? 'preferred' : 'same name elsewhere'}</span>}
                    <div className="muted">{t.description.split('\n')[0]}</div>
                  </td>
                  <td>{t.access === 'read' ? 'reads' : 'writes'}</td>
                  <td>
                    <label className="tools-sr-only" htmlFor={`perm-${t.name}`}>
                      Permission of {t.name}
                    </label>
                    <select id={`perm-${t.name}`} value={t.permissionSource === 'tool' ? t.permission : ''} onChange={(e) => void setPermission(t.server, t.tool, e.target.value)}>
                      <option value="">{t.permissionSource === 'tool' ? 'as its server' : `as its server (${t.permission})`}</option>
                      {PERMISSIONS.map((p) => (
                        <option key={p} value={p}>
                          {p}
                        </option>
                      ))}
                    </select>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      {listing.conflicts.length > 0 && (
        <section className="card" aria-labelledby="tools-conflicts-title">
          <h3 id="tools-conflicts-title">Same name, several servers</h3>
          <p className="hint">A task may always name a tool as server.tool. A bare name goes to the server chosen here, and is refused as ambiguous while none is.</p>
          {listing.conflicts.map((c) => (
            <div className="field narrow" key={c.name}>
              <label htmlFor={`pref-${c.name}`}>
                <code>{c.name}</code> means
              </label>
              <select id={`pref-${c.name}`} value={c.preferred ?? ''} onChange={(e) => void setPreference(c.name, e.target.value)}>
                <option value="">nothing (ask for server.tool)</option>
                {c.servers.map((s) => (
                  <option key={s} value={s}>
                    {s}.{c.name}
                  </option>
                ))}
              </select>
            </div>
          ))}
        </section>
      )}

      <section className="card" aria-labelledby="tools-grants-title">
        <h3 id="tools-grants-title">Standing approvals</h3>
        {grants.length === 0 ? (
          <p className="muted">None. Approving a tool call “for this task” or “always” adds one here.</p>
        ) : (
          <ul className="tools-plain-list">
            {grants.map((g) => (
              <li key={g.id}>
                <code>{g.tool}</code> {g.scope === 'always' ? 'always' : `for ${g.taskId}`} — approved by {g.actor.who} ({g.actor.via}), {new Date(g.createdAt).toLocaleString()}{' '}
                <button type="button" onClick={() => void revoke(g.id)}>
                  Revoke
                </button>
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}
