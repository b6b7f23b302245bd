import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { ModelsSnapshot } from '../../../../shared/channels/models';
import { MODEL_ROLE_NAMES, type ModelRoleName } from '../../../../shared/domain/model';
import { api } from '../../api';
import { keys } from '../../queries/client';

const ROLE_LABEL: Record<ModelRoleName, string> = {
  planner: 'Planner',
  worker: 'Worker',
  'judge.constitutional': 'Judge: constitutional',
  'judge.technical': 'Judge: technical',
  'judge.quality': 'Judge: quality',
  'judge.integration': 'Judge: integration',
};

/** Roles in one step: one model for every role it is ticked for (a second model can take several at once). */
export function AssignRoles({ snapshot }: { snapshot: ModelsSnapshot }) {
  const client = useQueryClient();
  const assigned = new Map(snapshot.roles.map((r) => [r.role, r.model]));
  const unassigned = MODEL_ROLE_NAMES.filter((r) => !assigned.has(r));
  const [model, setModel] = useState(snapshot.models.at(-1)?.entry.name ?? '');
  const [roles, setRoles] = useState<Set<ModelRoleName>>(new Set(unassigned.length > 0 ? unassigned : []));
  const [note, setNote] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const toggle = (r: ModelRoleName) =>
    setRoles((s) => {
      const next = new Set(s);
      if (next.has(r)) next.delete(r);
      else next.add(r);
      return next;
    });

  const assign = async () => {
    setBusy(true);
    const failed: string[] = [];
    for (const role of roles) {
      const r = await api.assignModelRole({ role, model });
      if (!r.ok) failed.push(`${ROLE_LABEL[role]}: ${r.error.message}`);
    }
    setBusy(false);
    setNote(failed.length ? failed.join('; ') : `${model} now serves ${[...roles].map((r) => ROLE_LABEL[r]).join(', ')}.`);
    await client.invalidateQueries({ queryKey: keys.models });
  };

  return (
    <section className="onboarding-option" aria-labelledby="assign-title">
      <h3 id="assign-title">Assign roles</h3>
      <p className="hint">
        {unassigned.length > 0 ? `${unassigned.length} of ${MODEL_ROLE_NAMES.length} roles have no model yet.` : 'Every role has a model; you can move roles to another model here.'}
      </p>
      <div className="field narrow">
        <label htmlFor="assign-model">Model</label>
        <select id="assign-model" value={model} onChange={(e) => setModel(e.target.value)}>
          {snapshot.models.map((m) => (
            <option key={m.entry.name} value={m.entry.name}>
              {m.entry.name}
            </option>
          ))}
        </select>
      </div>
      <fieldset>
        <legend>Roles for this model</legend>
        {MODEL_ROLE_NAMES.map((r) => (
          <label key={r} className="checkbox">
            <input type="checkbox" checked={roles.has(r)} onChange={() => toggle(r)} />
            {ROLE_LABEL[r]}
            {assigned.has(r) ? <span className="muted"> (now {assigned.get(r)})</span> : null}
          </label>
        ))}
      </fieldset>
      <button type="button" disabled={busy || roles.size === 0 || !model} onClick={() => void assign()}>
        {busy ? 'Assigning…' : `Assign ${roles.size} role(s)`}
      </button>
      {note ? <p role="status">{note}</p> : null}
    </section>
  );
}
