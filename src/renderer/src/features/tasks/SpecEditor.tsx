import { useState } from 'react';
import type { SpecValidationView } from '../../../../shared/channels/governance';
import { api } from '../../api';
import { windowActor } from './actor';
import './task-detail.css';

type Issue = { path: string; message: string };

/**
 * Edits the plan while it waits for approval (strict mode). The YAML is checked before it is
 * saved; a saved edit becomes a new spec version by the user, and the approval then covers it.
 */
export function SpecEditor({ taskId, yaml, onSaved }: { taskId: string; yaml: string; onSaved: (version: number | null) => void }) {
  const [text, setText] = useState(yaml);
  const [busy, setBusy] = useState(false);
  const [issues, setIssues] = useState<Issue[]>([]);
  const [status, setStatus] = useState<{ ok: boolean; text: string } | null>(null);
  const changed = text !== yaml;

  const check = async (): Promise<SpecValidationView | null> => {
    const r = await api.validateSpec({ yaml: text });
    if (!r.ok) {
      setStatus({ ok: false, text: r.error.message });
      return null;
    }
    setIssues(r.value.issues);
    return r.value;
  };

  const run = async (save: boolean) => {
    setBusy(true);
    setStatus(null);
    try {
      const checked = await check();
      if (!checked) return;
      if (!checked.valid) {
        setStatus({ ok: false, text: `The spec has ${checked.issues.length} problem${checked.issues.length === 1 ? '' : 's'}; nothing was saved.` });
        return;
      }
      if (!save) {
        setStatus({ ok: true, text: `The spec is valid (CAWS compliance ${Math.round((checked.compliance?.compliance ?? 1) * 100)}%).` });
        return;
      }
      const r = await api.updateTaskSpec({ taskId, yaml: text, actor: windowActor.who });
      if (!r.ok) {
        setIssues(r.error.issues ?? []);
        setStatus({ ok: false, text: r.error.message });
        return;
      }
      onSaved(r.value.version);
    } finally {
      setBusy(false);
    }
  };

  const id = `spec-yaml-${taskId}`;
  return (
    <form
      className="spec-editor"
      aria-label="Edit the working spec"
      onSubmit={(e) => {
        e.preventDefault();
        void run(true);
      }}
    >
      <label htmlFor={id}>Working spec (YAML), editable until you approve the plan</label>
      <textarea
        id={id}
        className="mono"
        rows={Math.min(30, Math.max(10, text.split('\n').length + 1))}
        value={text}
        spellCheck={false}
        aria-invalid={issues.length > 0}
        aria-describedby={issues.length > 0 ? `${id}-issues` : undefined}
        onChange={(e) => {
          setText(e.target.value);
          setStatus(null);
        }}
      />
      {issues.length > 0 ? (
        <ul id={`${id}-issues`} className="spec-issues" aria-label="Spec problems">
          {issues.map((i) => (
            <li key={`${i.path}:${i.message}`}>
              <code>{i.path || '(spec)'}</code>: {i.message}
            </li>
          ))}
        </ul>
      ) : null}
      <div className="actions">
        <button type="button" className="secondary" disabled={busy} onClick={() => void run(false)}>
          Check spec
        </button>
        <button type="submit" disabled={busy || !changed}>
          Save spec
        </button>
        <button type="button" className="secondary" disabled={busy || !changed} onClick={() => setText(yaml)}>
          Discard edits
        </button>
        {status ? (
          <span className={status.ok ? 'form-ok' : 'form-error'} role={status.ok ? 'status' : 'alert'}>
            {status.text}
          </span>
        ) : null}
      </div>
    </form>
  );
}
