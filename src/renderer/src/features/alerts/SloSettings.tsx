import { useCallback, useEffect, useState, type FormEvent, type ReactNode } from 'react';
import type { SloChange, SloStatus } from '../../../../shared/channels/slo';
import { api } from '../../api';
import { describeChange, fromContractIssues, fromForm, THRESHOLD_UNIT, toForm, type FormErrors, type RuleForm, type SloForm } from './slo-form';

/**
 * The Settings section for objectives: pick one, change its target, window, threshold and burn-rate
 * rules, save. The form is checked before it is sent and the core checks it again; each message
 * names its field. Every save is kept in the objectives' history, shown below with who made it.
 */
export function SloSettings({ actor }: { actor: string }) {
  const [slos, setSlos] = useState<SloStatus[]>([]);
  const [changes, setChanges] = useState<SloChange[]>([]);
  const [selected, setSelected] = useState<string>('');
  const [form, setForm] = useState<SloForm | null>(null);
  const [errors, setErrors] = useState<FormErrors>({});
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(async (keep?: string) => {
    const [s, c] = await Promise.all([api.listSlos({}), api.listSloChanges({ limit: 50 })]);
    if (!s.ok) {
      setMessage({ ok: false, text: s.error.message });
      return;
    }
    setSlos(s.value);
    if (c.ok) setChanges(c.value);
    const id = keep ?? s.value[0]?.definition.id ?? '';
    setSelected(id);
    const d = s.value.find((x) => x.definition.id === id)?.definition;
    setForm(d ? toForm(d) : null);
  }, []);
  useEffect(() => {
    const first = setTimeout(() => void load(), 0);
    return () => clearTimeout(first);
  }, [load]);

  const choose = (id: string) => {
    setSelected(id);
    setErrors({});
    setMessage(null);
    const d = slos.find((x) => x.definition.id === id)?.definition;
    setForm(d ? toForm(d) : null);
  };
  const set = <K extends keyof SloForm>(key: K, value: SloForm[K]) => setForm((f) => (f ? { ...f, [key]: value } : f));
  const setRule = (i: number, key: keyof RuleForm, value: string) =>
    setForm((f) => (f ? { ...f, rules: f.rules.map((r, j) => (j === i ? { ...r, [key]: value } : r)) } : f));

  const save = async (e: FormEvent) => {
    e.preventDefault();
    if (!form) return;
    setMessage(null);
    const checked = fromForm(form);
    if (!checked.ok) {
      setErrors(checked.errors);
      setMessage({ ok: false, text: `Not saved: ${summary(checked.errors)}` });
      return;
    }
    setBusy(true);
    const r = await api.setSlo({ definition: checked.definition, actor });
    setBusy(false);
    if (!r.ok) {
      setErrors(fromContractIssues(r.error.issues ?? []));
      setMessage({ ok: false, text: r.error.message });
      return;
    }
    setErrors({});
    await load(form.id);
    setMessage({ ok: true, text: `${form.name} saved.` });
  };

  const unit = form ? THRESHOLD_UNIT[form.id] : undefined;
  return (
    <section className="card" aria-labelledby="slo-settings-title">
      <h3 id="slo-settings-title">Objectives</h3>
      <p className="hint">
        What the Alerts page measures the app against, computed from the journal. An alert fires when both windows of a burn-rate rule spend the error budget
        faster than its factor.
      </p>
      <div className="field narrow">
        <label htmlFor="slo-select">Objective</label>
        <select id="slo-select" value={selected} onChange={(e) => choose(e.target.value)}>
          {slos.map((s) => (
            <option key={s.definition.id} value={s.definition.id}>
              {s.definition.name}
            </option>
          ))}
        </select>
      </div>
      {form ? (
        <form className="settings-form" onSubmit={(e) => void save(e)} noValidate aria-label={`Objective: ${form.name}`}>
          <p className="hint">{form.description}</p>
          <label htmlFor="slo-enabled">
            <input id="slo-enabled" type="checkbox" checked={form.enabled} onChange={(e) => set('enabled', e.target.checked)} /> Enabled (a disabled objective raises no alert)
          </label>
          <div className="row">
            {form.kind === 'ratio' ? (
              <Num id="slo-target" label="Target (% of events good)" error={errors['targetPercent']} value={form.targetPercent} onChange={(v) => set('targetPercent', v)} />
            ) : (
              <Num id="slo-max-events" label="Most bad events per window" error={errors['maxEvents']} value={form.maxEvents} onChange={(v) => set('maxEvents', v)} />
            )}
            <Num id="slo-window" label="Window (hours)" error={errors['windowHours']} value={form.windowHours} onChange={(v) => set('windowHours', v)} />
            {unit ? <Num id="slo-threshold" label={`Threshold (${unit})`} error={errors['threshold']} value={form.threshold} onChange={(v) => set('threshold', v)} /> : null}
            <Num id="slo-min-events" label="Fewest events to judge" error={errors['minEvents']} value={form.minEvents} onChange={(v) => set('minEvents', v)} />
          </div>
          <table aria-label="Burn-rate rules">
            <thead>
              <tr>
                <th>Rule</th>
                <th>Severity</th>
                <th>Factor (× sustainable rate)</th>
                <th>Long window (min)</th>
                <th>Short window (min)</th>
              </tr>
            </thead>
            <tbody>
              {form.rules.map((r, i) => (
                <tr key={r.name}>
                  <td>{r.name}</td>
                  <td>
                    <select aria-label={`Severity of ${r.name}`} value={r.severity} onChange={(e) => setRule(i, 'severity', e.target.value)}>
                      <option value="page">page</option>
                      <option value="ticket">ticket</option>
                    </select>
                  </td>
                  {(['factor', 'longMinutes', 'shortMinutes'] as const).map((k) => (
                    <td key={k}>
                      <input
                        aria-label={`${k === 'factor' ? 'Factor' : k === 'longMinutes' ? 'Long window' : 'Short window'} of ${r.name}`}
                        inputMode="decimal"
                        value={r[k]}
                        onChange={(e) => setRule(i, k, e.target.value)}
                        aria-invalid={Boolean(errors[`rules[${i}].${k}`])}
                      />
                      {errors[`rules[${i}].${k}`] ? <span className="field-error">{errors[`rules[${i}].${k}`]}</span> : null}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
          {message ? (
            <p className={message.ok ? 'form-ok' : 'form-error'} role={message.ok ? 'status' : 'alert'}>
              {message.text}
            </p>
          ) : null}
          <button type="submit" disabled={busy}>
            {busy ? 'Saving…' : 'Save objective'}
          </button>
        </form>
      ) : null}
      <h4>Changes</h4>
      {changes.length === 0 ? <p className="hint">No objective has been changed; the shipped defaults apply.</p> : null}
      <ol aria-label="Objective changes">
        {changes.map((c) => (
          <li key={c.seq}>
            {new Date(c.ts).toLocaleString()} — {c.after.name}: {describeChange(c)} by {c.actor}
          </li>
        ))}
      </ol>
    </section>
  );
}

function Num({ id, label, value, error, onChange }: { id: string; label: string; value: string; error: string | undefined; onChange: (v: string) => void }): ReactNode {
  return (
    <div className="field narrow">
      <label htmlFor={id}>{label}</label>
      <input id={id} inputMode="decimal" value={value} onChange={(e) => onChange(e.target.value)} aria-invalid={Boolean(error)} aria-describedby={error ? `${id}-error` : undefined} />
      {error ? (
        <span className="field-error" id={`${id}-error`}>
          {error}
        </span>
      ) : null}
    </div>
  );
}

/** The form's problems in one line, each with the field it is about. */
function summary(errors: FormErrors): string {
  const names: Record<string, string> = { targetPercent: 'target', windowHours: 'window', minEvents: 'fewest events', maxEvents: 'bad events per window', threshold: 'threshold' };
  return Object.entries(errors)
    .map(([k, v]) => `${names[k] ?? k.replace('longMinutes', 'long window').replace('shortMinutes', 'short window')}: ${v ?? ''}`)
    .join('; ');
}
