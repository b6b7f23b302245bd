import { useEffect, useState, type FormEvent } from 'react';
import type { ChannelOutput } from '../../../../shared/contract';
import { api } from '../../api';
import { fieldErrors, type FieldErrors } from './use-settings';

type SchedulerSettings = ChannelOutput<'getSchedulerSettings'>;
type Level = 'fair' | 'serious' | 'critical';
const LEVELS: Level[] = ['fair', 'serious', 'critical'];

/** Empty means "this level is not triggered by this signal". */
const toNumber = (s: string): number | null => (s.trim() === '' ? null : Number(s));
const show = (n: number | null | undefined, scale = 1) => (n === null || n === undefined ? '' : String(Math.round(n * scale * 100) / 100));

/** The scheduler's thresholds, through the scheduler's own channels. */
export function SchedulerSettingsSection() {
  const [saved, setSaved] = useState<SchedulerSettings | null>(null);
  const [draft, setDraft] = useState<SchedulerSettings | null>(null);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);

  useEffect(() => {
    void api.getSchedulerSettings({}).then((r) => {
      if (r.ok) {
        setSaved(r.value);
        setDraft(r.value);
      } else {
        setMessage({ ok: false, text: r.error.message });
      }
    });
  }, []);

  if (!draft || !saved) {
    return (
      <section className="card" aria-labelledby="scheduler-title">
        <h3 id="scheduler-title">Scheduler thresholds</h3>
        {message ? <p role="alert">{message.text}</p> : <p role="status">Loading…</p>}
      </section>
    );
  }

  const save = async (e: FormEvent) => {
    e.preventDefault();
    const r = await api.updateSchedulerSettings({
      patch: {
        slots: { nominal: draft.slots.nominal, fair: draft.slots.fair, serious: draft.slots.serious },
        temperatureC: { fair: draft.temperatureC.fair, serious: draft.temperatureC.serious, critical: draft.temperatureC.critical },
        memoryPressure: { fair: draft.memoryPressure.fair, serious: draft.memoryPressure.serious, critical: draft.memoryPressure.critical },
        cooldownMs: draft.cooldownMs,
        deferBackgroundOnBattery: draft.deferBackgroundOnBattery,
      },
    });
    if (!r.ok) {
      setErrors(fieldErrors(r.error));
      setMessage({ ok: false, text: r.error.message });
      return;
    }
    setErrors({});
    setSaved(r.value);
    setDraft(r.value);
    setMessage({ ok: true, text: 'Scheduler thresholds saved.' });
  };

  return (
    <form className="card settings-form" aria-labelledby="scheduler-title" onSubmit={(e) => void save(e)} noValidate>
      <h3 id="scheduler-title">Scheduler thresholds</h3>
      <p className="hint">How many model calls run at once at each pressure level, and what raises the level. Leave a threshold empty to ignore that signal at that level.</p>
      <fieldset className="field">
        <legend>Concurrent model calls per level</legend>
        <div className="row">
          {(['nominal', 'fair', 'serious'] as const).map((l) => (
            <div className="field" key={l}>
              <label htmlFor={`slots-${l}`}>{l}</label>
              <input
                id={`slots-${l}`}
                type="number"
                min={0}
                max={64}
                value={draft.slots[l]}
                onChange={(e) => setDraft({ ...draft, slots: { ...draft.slots, [l]: Number(e.target.value) } })}
              />
            </div>
          ))}
        </div>
      </fieldset>
      <fieldset className="field" aria-invalid={Boolean(errors['temperatureC'])}>
        <legend>Temperature (°C)</legend>
        <div className="row">
          {LEVELS.map((l) => (
            <div className="field" key={l}>
              <label htmlFor={`temp-${l}`}>{l}</label>
              <input
                id={`temp-${l}`}
                type="number"
                value={show(draft.temperatureC[l])}
                onChange={(e) => setDraft({ ...draft, temperatureC: { ...draft.temperatureC, [l]: toNumber(e.target.value) } })}
              />
            </div>
          ))}
        </div>
        {errors['temperatureC'] && <span className="field-error">{errors['temperatureC']}</span>}
      </fieldset>
      <fieldset className="field" aria-invalid={Boolean(errors['memoryPressure'])}>
        <legend>Memory in use (%)</legend>
        <div className="row">
          {LEVELS.map((l) => (
            <div className="field" key={l}>
              <label htmlFor={`mem-${l}`}>{l}</label>
              <input
                id={`mem-${l}`}
                type="number"
                min={0}
                max={100}
                value={show(draft.memoryPressure[l], 100)}
                onChange={(e) => {
                  const v = toNumber(e.target.value);
                  setDraft({ ...draft, memoryPressure: { ...draft.memoryPressure, [l]: v === null ? null : v / 100 } });
                }}
              />
            </div>
          ))}
        </div>
        {errors['memoryPressure'] && <span className="field-error">{errors['memoryPressure']}</span>}
      </fieldset>
      <div className="row">
        <div className="field narrow">
          <label htmlFor="cooldown">Least time between level changes (seconds)</label>
          <input
            id="cooldown"
            type="number"
            min={0}
            max={3600}
            value={draft.cooldownMs / 1000}
            onChange={(e) => setDraft({ ...draft, cooldownMs: Math.round(Number(e.target.value) * 1000) })}
          />
        </div>
        <label className="checkbox">
          <input type="checkbox" checked={draft.deferBackgroundOnBattery} onChange={(e) => setDraft({ ...draft, deferBackgroundOnBattery: e.target.checked })} />
          Defer background work on battery
        </label>
      </div>
      {message && (
        <p className={message.ok ? 'form-ok' : 'form-error'} role={message.ok ? 'status' : 'alert'}>
          {message.text}
        </p>
      )}
      <button type="submit">Save thresholds</button>
    </form>
  );
}
