import { useState } from 'react';
import type { TaskPatchView } from '../../../../shared/channels/changes';
import { api } from '../../api';

/** Copy the patch, save it as a `.patch` file, show the task's workspace folder. */
export function PatchActions({ taskId, patch }: { taskId: string; patch: TaskPatchView | null }) {
  const [note, setNote] = useState<string | null>(null);

  const copy = async () => {
    if (!patch) return;
    try {
      await navigator.clipboard.writeText(patch.patch);
      setNote('Patch copied to the clipboard.');
    } catch {
      setNote('The browser did not allow copying; use "Download .patch" instead.');
    }
  };

  const download = () => {
    if (!patch) return;
    const url = URL.createObjectURL(new Blob([patch.patch], { type: 'text/x-diff' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `${taskId}-${patch.sha256.slice(0, 12)}.patch`;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1_000);
    setNote(`Saved ${a.download}.`);
  };

  const openFolder = async () => {
    const r = await api.openTaskFolder({ id: taskId, open: true });
    if (!r.ok) return setNote(r.error.message);
    if (!r.value.path) return setNote('The task workspace has been removed (it is cleaned up when a task ends).');
    setNote(r.value.opened ? `Opened ${r.value.path}.` : `Workspace folder: ${r.value.path} (no file manager to open it here).`);
  };

  return (
    <div className="outcome-actions" role="group" aria-label="Patch">
      <button type="button" className="secondary" disabled={!patch} onClick={() => void copy()}>
        Copy patch
      </button>
      <button type="button" className="secondary" disabled={!patch} onClick={download}>
        Download .patch
      </button>
      <button type="button" className="secondary" onClick={() => void openFolder()}>
        Open workspace folder
      </button>
      {note ? (
        <span className="muted" role="status">
          {note}
        </span>
      ) : null}
    </div>
  );
}
