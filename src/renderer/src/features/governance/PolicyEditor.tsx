import { useState, type FormEvent } from 'react';
import { GATE_NAMES, type GateModeValue, type Policy, type PolicyPatch } from '../../../../shared/domain/governance';
import { gateLabel } from './GateResults';
import './governance.css';

export type PolicyEditorProps = {
  policy: Policy;
  /** Saves a patch; resolves to an error message, or null when saved. */
  onSave: (patch: PolicyPatch) => Promise<string | null>;
};

const TIERS = [1, 2, 3] as const;
const MODES: GateModeValue[] = ['block', 'warn', 'skip'];

/** Tier budgets, gate modes and coverage thresholds, edited as one form. */
export function PolicyEditor({ policy, onSave }: PolicyEditorProps) {
  const [draft, setDraft] = useState<Policy>(policy);
  const [status, setStatus] = useState<{ ok: boolean; text: string } | null>(null);
  const [saving, setSaving] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setSaving(true);
    const error = await onSave({ budgets: draft.budgets, gateModes: draft.gateModes, coverage: draft.coverage, checkTimeoutMs: draft.checkTimeoutMs });
    setSaving(false);
    setStatus(error ? { ok: false, text: error } : { ok: true, text: 'Policy saved.' });
  };
  const setBudget = (tier: 1 | 2 | 3, key: 'maxFiles' | 'maxLines', value: number) =>
    setDraft((d) => ({ ...d, budgets: { ...d.budgets, [tier]: { ...d.budgets[tier], [key]: value } } }));
  const setMode = (tier: 1 | 2 | 3, gate: (typeof GATE_NAMES)[number], mode: GateModeValue) =>
    setDraft((d) => ({ ...d, gateModes: { ...d.gateModes, [tier]: { ...d.gateModes[tier], [gate]: mode } } }));

  return (
    <form className="gov-section" aria-labelledby="policy-title" onSubmit={(e) => void submit(e)}>
      <h3 id="policy-title">Governance policy</h3>
      <table className="gov-table" aria-label="Change budgets and gates per risk tier">
        <thead>
          <tr>
            <th scope="col">Setting</th>
            {TIERS.map((t) => (
              <th scope="col" key={t}>
                Tier {t}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {(['maxFiles', 'maxLines'] as const).map((key) => (
            <tr key={key}>
              <th scope="row">{key === 'maxFiles' ? 'Files per change' : 'Lines per change'}</th>
              {TIERS.map((t) => (
                <td key={t}>
                  <input
                    type="number"
                    min={1}
                    aria-label={`Tier ${t} ${key === 'maxFiles' ? 'files' : 'lines'}`}
                    value={draft.budgets[t][key]}
                    onChange={(e) => setBudget(t, key, Number(e.target.value))}
                  />
                </td>
              ))}
            </tr>
          ))}
          <tr>
            <th scope="row">Line coverage</th>
            {TIERS.map((t) => (
              <td key={t}>
                <input
                  type="number"
                  min={0}
                  max={100}
                  aria-label={`Tier ${t} coverage percent`}
                  value={Math.round(draft.coverage[t] * 100)}
                  onChange={(e) => setDraft((d) => ({ ...d, coverage: { ...d.coverage, [t]: Number(e.target.value) / 100 } }))}
                />
                %
              </td>
            ))}
          </tr>
          {GATE_NAMES.map((gate) => (
            <tr key={gate}>
              <th scope="row">{gateLabel(gate)}</th>
              {TIERS.map((t) => (
                <td key={t}>
                  <select aria-label={`Tier ${t} ${gateLabel(gate)} mode`} value={draft.gateModes[t][gate]} onChange={(e) => setMode(t, gate, e.target.value as GateModeValue)}>
                    {MODES.map((m) => (
                      <option key={m} value={m}>
                        {m}
                      </option>
                    ))}
                  </select>
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      <div className="field">
        <label htmlFor="check-timeout">Check timeout (seconds)</label>
        <input id="check-timeout" type="number" min={1} value={Math.round(draft.checkTimeoutMs / 1000)} onChange={(e) => setDraft((d) => ({ ...d, checkTimeoutMs: Number(e.target.value) * 1000 }))} />
      </div>
      <div className="row">
        <button type="submit" disabled={saving}>
          {saving ? 'Saving…' : 'Save policy'}
        </button>
        {status ? (
          <span role={status.ok ? 'status' : 'alert'} className={status.ok ? 'form-ok' : 'form-error'}>
            {status.text}
          </span>
        ) : null}
      </div>
    </form>
  );
}
