import { useState } from 'react';
import type { TaskSpecView } from '../../../../shared/channels/governance';
import type { Task } from '../../../../shared/domain/task';
import { SpecView } from '../governance/SpecView';
import { SpecEditor } from './SpecEditor';

/** Spec edits are accepted only while the plan waits for approval (the core refuses them otherwise). */
export const canEditSpec = (task: Task): boolean => task.state.kind === 'awaiting_approval' && task.state.waitingFor === 'plan';

/** The working spec, its versions, and (while the plan awaits approval) the editor. */
export function TaskSpecSection({ task, spec, onSaved }: { task: Task; spec: TaskSpecView | null; onSaved: () => void }) {
  const [saved, setSaved] = useState<number | null>(null);
  const versions = spec?.versions ?? [];
  return (
    <div className="card" id="task-spec">
      <SpecView spec={spec?.spec ?? null} yaml={spec?.yaml ?? null} version={spec?.version ?? null} />
      {versions.length > 1 ? (
        <details>
          <summary>
            {versions.length} versions
          </summary>
          <ol className="gov-list" aria-label="Spec versions">
            {versions.map((v) => (
              <li key={v.version}>
                version {v.version}: {v.specId} by {v.author} ({v.source}) at <time dateTime={new Date(v.createdAt).toISOString()}>{new Date(v.createdAt).toLocaleString()}</time>
              </li>
            ))}
          </ol>
        </details>
      ) : null}
      {canEditSpec(task) && spec?.yaml ? (
        <SpecEditor
          // A new version (saved here or elsewhere) starts the editor afresh from it.
          key={`${task.id}:${spec.version ?? 0}`}
          taskId={task.id}
          yaml={spec.yaml}
          onSaved={(version) => {
            setSaved(version);
            onSaved();
          }}
        />
      ) : null}
      {saved !== null && canEditSpec(task) ? (
        <p className="form-ok" role="status">
          Saved as version {saved}; approving the plan approves this version.
        </p>
      ) : null}
    </div>
  );
}
