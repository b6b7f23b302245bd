import { Fragment, useState } from 'react';
import type { ModelsSnapshot } from '../../../../shared/channels/models';
import { MODEL_ROLE_NAMES, type ModelRoleName } from '../../../../shared/domain/model';
import { api } from '../../api';
import type { Action } from './use-action';

export function Roles({ snapshot, action }: { snapshot: ModelsSnapshot; action: Action }) {
  const names = snapshot.models.map((m) => m.entry.name);
  const [choice, setChoice] = useState<Partial<Record<ModelRoleName, string>>>({});
  if (names.length === 0) return null;
  const byRole = new Map(snapshot.roles.map((r) => [r.role, r]));
  return (
    <section className="card" aria-labelledby="roles-title">
      <h2 id="roles-title">Roles</h2>
      <p className="hint">Assign sets a role's model for the next calls. Swap loads and warms the new model first, then switches while calls keep flowing, then unloads the old one if nothing else uses it.</p>
      <div className="role-grid">
        {MODEL_ROLE_NAMES.map((role) => {
          const current = byRole.get(role);
          const selected = choice[role] ?? current?.model ?? names[0]!;
          return (
            <Fragment key={role}>
              <label htmlFor={`role-${role}`}>
                <strong>{role}</strong>
                {current?.canary && (
                  <div className="muted">
                    canary {current.canary.model} ({Math.round(current.canary.share * 100)}%)
                  </div>
                )}
              </label>
              <select id={`role-${role}`} value={selected} onChange={(e) => setChoice((c) => ({ ...c, [role]: e.target.value }))}>
                {names.map((n) => (
                  <option key={n} value={n}>
                    {n}
                    {current?.model === n ? ' (current)' : ''}
                  </option>
                ))}
              </select>
              <div className="model-actions">
                <button type="button" className="secondary" disabled={selected === current?.model} onClick={() => void action.run(`Assigning ${role}`, () => api.assignModelRole({ role, model: selected }))}>
                  Assign
                </button>
                <button type="button" disabled={!current || selected === current.model} onClick={() => void action.run(`Swapping ${role} to ${selected}`, () => api.swapModel({ role, model: selected }))}>
                  Swap
                </button>
                {current?.canary ? (
                  <button type="button" className="secondary" onClick={() => void action.run(`Removing the canary of ${role}`, () => api.clearModelCanary({ role }))}>
                    End canary
                  </button>
                ) : (
                  <button
                    type="button"
                    className="secondary"
                    disabled={!current || selected === current.model}
                    title="Send 10% of this role's calls to the selected model; roll back on errors or slowness"
                    onClick={() => void action.run(`Starting a canary for ${role}`, () => api.setModelCanary({ role, canary: { model: selected, share: 0.1, maxErrorRate: 0.2, maxLatencyMs: 60_000, minSamples: 5 } }))}
                  >
                    Canary 10%
                  </button>
                )}
              </div>
            </Fragment>
          );
        })}
      </div>
    </section>
  );
}
