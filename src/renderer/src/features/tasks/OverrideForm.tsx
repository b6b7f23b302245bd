import { useState } from 'react';
import type { Task } from '../../../../shared/domain/task';
import { api } from '../../api';
import { windowActor } from './actor';
import { useIntervention } from './use-intervention';
import './task-controls.css';

/**
 * Replaces the council's decision with a human one, with a reason the audit trail keeps. Offered
 * where the contract allows it: at the plan and apply approvals (both follow a council decision).
 */
export function OverrideForm({ task }: { task: Task }) {
  const { busy, error, run } = useIntervention();
  const [open, setOpen] = useState(false);
  const [decision, setDecision] = useState<'accept' | 'reject'>('reject');
  const [reason, setReason] = useState('');
  const base = `override-${task.id}`;
  if (!open) {
    return (
      <button type="button" className="secondary override-toggle" disabled={busy} onClick={() => setOpen(true)}>
        Override the council…
      </button>
    );
  }
  return (
    <form
      className="override-form"
      aria-label="Override the council"
      onSubmit={(e) => {
        e.preventDefault();
        void run(() => api.overrideDecision({ id: task.id, actor: windowActor, decision, reason })).then((done) => done && setOpen(false));
      }}
    >
      <fieldset>
        <legend>Your decision</legend>
        <label className="radio">
          <input type="radio" name={`${base}-decision`} checked={decision === 'reject'} onChange={() => setDecision('reject')} /> Reject (the task fails)
        </label>
        <label className="radio">
          <input type="radio" name={`${base}-decision`} checked={decision === 'accept'} onChange={() => setDecision('accept')} /> Accept and continue
        </label>
      </fieldset>
      <label htmlFor={`${base}-reason`}>Reason for the override (recorded in the audit trail)</label>
      <textarea id={`${base}-reason`} rows={2} value={reason} maxLength={2000} onChange={(e) => setReason(e.target.value)} />
      <div className="actions">
        <button type="submit" className={decision === 'reject' ? 'danger' : undefined} disabled={busy || reason.trim().length < 3}>
          Record override
        </button>
        <button type="button" className="secondary" disabled={busy} onClick={() => setOpen(false)}>
          Back
        </button>
      </div>
      {error ? (
        <p className="control-error" role="alert">
          {error}
        </p>
      ) : null}
    </form>
  );
}
