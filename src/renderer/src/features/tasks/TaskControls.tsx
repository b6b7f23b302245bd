import { AlertDialog } from 'radix-ui';
import { useRef, useState } from 'react';
import type { Task } from '../../../../shared/domain/task';
import { api } from '../../api';
import { windowActor } from './actor';
import { useIntervention } from './use-intervention';
import './task-controls.css';

const RUNNING = new Set(['queued', 'planning', 'reviewing_plan', 'executing', 'verifying', 'reviewing_change', 'applying']);
const FINISHED = new Set(['completed', 'failed', 'cancelled']);

export const canPause = (task: Task) => RUNNING.has(task.state.kind);
export const canResume = (task: Task) => task.state.kind === 'paused';
export const canCancel = (task: Task) => !FINISHED.has(task.state.kind);

/**
 * Pause, resume and cancel (confirmed in a dialog) for one task. `compact` is the task list's row
 * version; the detail page adds guidance (see GuideForm).
 */
export function TaskControls({ task, compact = false }: { task: Task; compact?: boolean }) {
  const { busy, error, run } = useIntervention();
  const [confirming, setConfirming] = useState(false);
  const cancelButton = useRef<HTMLButtonElement>(null);
  if (FINISHED.has(task.state.kind)) return null;
  const name = compact ? ` ${task.description}` : '';
  return (
    <div className={`task-controls${compact ? ' compact' : ''}`} role="group" aria-label={`Controls for ${task.description}`}>
      {canPause(task) && (
        <button type="button" className="secondary" disabled={busy} aria-label={`Pause${name}`} onClick={() => void run(() => api.pauseTask({ id: task.id, actor: windowActor }))}>
          Pause
        </button>
      )}
      {canResume(task) && (
        <button type="button" disabled={busy} aria-label={`Resume${name}`} onClick={() => void run(() => api.resumeTask({ id: task.id, actor: windowActor }))}>
          Resume
        </button>
      )}
      {canCancel(task) && (
        // Cancelling discards work in progress: ask first, in an accessible alert dialog (Escape keeps the task).
        <AlertDialog.Root open={confirming} onOpenChange={setConfirming}>
          {/* Not AlertDialog.Trigger: its data-state attribute would clash with the task's state badge. */}
          <button ref={cancelButton} type="button" className="secondary" disabled={busy} aria-label={`Cancel${name}`} aria-haspopup="dialog" onClick={() => setConfirming(true)}>
            Cancel…
          </button>
          <AlertDialog.Portal>
            <AlertDialog.Overlay className="dialog-overlay" />
            <AlertDialog.Content
              className="dialog"
              onCloseAutoFocus={(e) => {
                e.preventDefault();
                cancelButton.current?.focus();
              }}
            >
              <AlertDialog.Title>Cancel this task?</AlertDialog.Title>
              <AlertDialog.Description>
                {task.description} — work in progress is discarded; nothing reaches the repository.
              </AlertDialog.Description>
              <div className="dialog-actions">
                <AlertDialog.Cancel asChild>
                  <button type="button" className="secondary">
                    Keep it
                  </button>
                </AlertDialog.Cancel>
                <button
                  type="button"
                  className="danger"
                  disabled={busy}
                  onClick={() => void run(() => api.cancelTask({ id: task.id, actor: windowActor })).then(() => setConfirming(false))}
                >
                  Yes, cancel task
                </button>
              </div>
            </AlertDialog.Content>
          </AlertDialog.Portal>
        </AlertDialog.Root>
      )}
      {error && (
        <span className="control-error" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}

/** Free-text guidance; the engine hands it to the running task at its next step boundary. */
export function GuideForm({ task }: { task: Task }) {
  const { busy, error, run } = useIntervention();
  const [text, setText] = useState('');
  const [sent, setSent] = useState(false);
  if (FINISHED.has(task.state.kind)) return null;
  const send = async () => {
    setSent(false);
    if (await run(() => api.guideTask({ id: task.id, actor: windowActor, text }))) {
      setText('');
      setSent(true);
    }
  };
  return (
    <form
      className="guide-form"
      aria-label="Guide the task"
      onSubmit={(e) => {
        e.preventDefault();
        void send();
      }}
    >
      <label htmlFor={`guide-${task.id}`}>Guidance for the agent</label>
      <textarea
        id={`guide-${task.id}`}
        rows={2}
        value={text}
        maxLength={4000}
        placeholder="Keep the public API unchanged"
        onChange={(e) => {
          setText(e.target.value);
          setSent(false);
        }}
      />
      <div className="actions">
        <button type="submit" disabled={busy || text.trim().length === 0}>
          Send guidance
        </button>
        {sent && (
          <span className="control-status" role="status">
            Sent; the task receives it at its next step.
          </span>
        )}
        {error && (
          <span className="control-error" role="alert">
            {error}
          </span>
        )}
      </div>
    </form>
  );
}
