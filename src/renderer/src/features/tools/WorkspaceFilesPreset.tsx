import { useState } from 'react';
import { WORKSPACE_FILES_PRESET } from '../../../../shared/channels/tools';
import { api } from '../../api';

/**
 * One click to give agents filesystem tools confined to their own task's workspace: the reference
 * filesystem server without a folder of its own, fed the workspace as its only MCP root.
 */
export function WorkspaceFilesPreset({ installed, onChanged }: { installed: boolean; onChanged: () => void }) {
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const add = async () => {
    const r = await api.addToolServer({ config: WORKSPACE_FILES_PRESET, replace: false });
    setMessage(r.ok ? { ok: true, text: `Added ${r.value.name}: its tools ask before running until you set a permission.` } : { ok: false, text: r.error.message });
    onChanged();
  };
  return (
    <section className="card" aria-labelledby="tools-preset-title">
      <h3 id="tools-preset-title">Filesystem access to the task workspace</h3>
      <p className="hint">
        Adds the reference filesystem server ({WORKSPACE_FILES_PRESET.transport.kind === 'stdio' ? [WORKSPACE_FILES_PRESET.transport.command, ...WORKSPACE_FILES_PRESET.transport.args].join(' ') : ''}) with no
        folder of its own: during each call it may only touch the calling task’s workspace, which the app offers as its only root. The
        app’s data folder and everything else stay out of reach.
      </p>
      <button type="button" onClick={() => void add()} disabled={installed}>
        {installed ? 'Added' : 'Add filesystem access to the task workspace'}
      </button>
      {message && (
        <p className={message.ok ? 'form-ok' : 'form-error'} role={message.ok ? 'status' : 'alert'}>
          {message.text}
        </p>
      )}
    </section>
  );
}
