import { useState, type FormEvent } from 'react';
import { api } from '../../api';
import { fieldErrors, type FieldErrors } from '../settings/use-settings';
import { parsePairs } from './use-tools';

/** Adds one server (stdio command or streamable HTTP URL), or imports a `{ "mcpServers": … }` file. */
export function AddServerForm({ onChanged }: { onChanged: () => void }) {
  const [kind, setKind] = useState<'stdio' | 'http'>('stdio');
  const [name, setName] = useState('');
  const [command, setCommand] = useState('');
  const [args, setArgs] = useState('');
  const [env, setEnv] = useState('');
  const [url, setUrl] = useState('');
  const [headers, setHeaders] = useState('');
  const [enabled, setEnabled] = useState(true);
  const [json, setJson] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);

  const add = async (e: FormEvent) => {
    e.preventDefault();
    const transport =
      kind === 'stdio'
        ? { kind, command, args: args.split('\n').map((a) => a.trim()).filter(Boolean), env: parsePairs(env, '=') }
        : { kind, url, headers: parsePairs(headers, ':') };
    const r = await api.addToolServer({ config: { name, enabled, transport } });
    if (!r.ok) {
      const byField: FieldErrors = {};
      for (const i of r.error.issues ?? []) byField[i.path.replace(/^config\.(transport\.)?/, '').split(/[.[]/)[0] || 'form'] ??= i.message;
      setErrors(byField);
      setMessage({ ok: false, text: r.error.message });
      return;
    }
    setErrors({});
    setMessage({ ok: true, text: `Added ${r.value.name}.` });
    setName('');
    onChanged();
  };

  const importFile = async (e: FormEvent) => {
    e.preventDefault();
    const r = await api.importToolServers({ json });
    if (!r.ok) {
      setErrors(fieldErrors(r.error));
      setMessage({ ok: false, text: r.error.message });
      return;
    }
    setMessage({ ok: true, text: `Imported ${r.value.map((s) => s.name).join(', ') || 'nothing'}.` });
    setJson('');
    onChanged();
  };

  return (
    <section className="card" aria-labelledby="tools-add-title">
      <h3 id="tools-add-title">Add a tool server</h3>
      <form className="settings-form" onSubmit={(e) => void add(e)} noValidate>
        <div className="row">
          <div className="field">
            <label htmlFor="tool-server-name">Name</label>
            <input id="tool-server-name" value={name} onChange={(e) => setName(e.target.value)} aria-invalid={Boolean(errors['name'])} placeholder="files" />
            {errors['name'] && <span className="field-error">{errors['name']}</span>}
          </div>
          <div className="field">
            <label htmlFor="tool-server-kind">Transport</label>
            <select id="tool-server-kind" value={kind} onChange={(e) => setKind(e.target.value === 'http' ? 'http' : 'stdio')}>
              <option value="stdio">Command (stdio)</option>
              <option value="http">URL (streamable HTTP)</option>
            </select>
          </div>
        </div>
        {kind === 'stdio' ? (
          <>
            <div className="field">
              <label htmlFor="tool-server-command">Command</label>
              <input id="tool-server-command" value={command} onChange={(e) => setCommand(e.target.value)} aria-invalid={Boolean(errors['command'])} placeholder="npx" />
              {errors['command'] && <span className="field-error">{errors['command']}</span>}
            </div>
            <div className="row">
              <div className="field">
                <label htmlFor="tool-server-args">Arguments (one per line)</label>
                <textarea id="tool-server-args" rows={3} value={args} onChange={(e) => setArgs(e.target.value)} />
              </div>
              <div className="field">
                <label htmlFor="tool-server-env">Environment (KEY=value per line)</label>
                <textarea id="tool-server-env" rows={3} value={env} onChange={(e) => setEnv(e.target.value)} aria-invalid={Boolean(errors['env'])} />
                {errors['env'] && <span className="field-error">{errors['env']}</span>}
              </div>
            </div>
          </>
        ) : (
          <div className="row">
            <div className="field">
              <label htmlFor="tool-server-url">URL</label>
              <input id="tool-server-url" value={url} onChange={(e) => setUrl(e.target.value)} aria-invalid={Boolean(errors['url'])} placeholder="http://127.0.0.1:8080/mcp" />
              {errors['url'] && <span className="field-error">{errors['url']}</span>}
            </div>
            <div className="field">
              <label htmlFor="tool-server-headers">Headers (Name: value per line)</label>
              <textarea id="tool-server-headers" rows={2} value={headers} onChange={(e) => setHeaders(e.target.value)} aria-invalid={Boolean(errors['headers'])} />
              {errors['headers'] && <span className="field-error">{errors['headers']}</span>}
            </div>
          </div>
        )}
        <label className="checkbox">
          <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} />
          Enabled
        </label>
        <button type="submit">Add server</button>
      </form>
      <form className="settings-form" onSubmit={(e) => void importFile(e)} noValidate>
        <div className="field">
          <label htmlFor="tool-server-json">Or paste an mcpServers file</label>
          <textarea id="tool-server-json" rows={4} value={json} onChange={(e) => setJson(e.target.value)} placeholder='{ "mcpServers": { "files": { "command": "npx", "args": ["-y", "@modelcontextprotocol/server-filesystem", "/path"] } } }' />
        </div>
        <button type="submit" disabled={json.trim() === ''}>
          Import
        </button>
      </form>
      {message && (
        <p className={message.ok ? 'form-ok' : 'form-error'} role={message.ok ? 'status' : 'alert'}>
          {message.text}
        </p>
      )}
    </section>
  );
}
