import { useState, type FormEvent } from 'react';
import { THEMES, type AppSettings, type SettingsView, type Theme } from '../../../../shared/channels/settings';
import { api } from '../../api';
import { applyTheme } from '../../theme';
import { EmbeddingModelField } from './EmbeddingModelField';
import { fieldErrors, type FieldErrors } from './use-settings';

const THEME_LABELS: Record<Theme, string> = { system: 'Follow the system', light: 'Light', dark: 'Dark' };

/** Models folder, threads, theme and default gate commands, saved together. */
export function GeneralSettings({ view, onSaved }: { view: SettingsView; onSaved: (v: SettingsView) => void }) {
  const [draft, setDraft] = useState<AppSettings>(view.settings);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const set = <K extends keyof AppSettings>(key: K, value: AppSettings[K]) => setDraft((d) => ({ ...d, [key]: value }));
  const setCommand = (key: 'tests' | 'typecheck' | 'lint', value: string) =>
    setDraft((d) => {
      const next = { ...d.gateCommands };
      if (value.trim()) next[key] = value;
      else delete next[key];
      return { ...d, gateCommands: next };
    });

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setMessage(null);
    const r = await api.updateSettings({ patch: draft });
    setBusy(false);
    if (!r.ok) {
      setErrors(fieldErrors(r.error));
      setMessage({ ok: false, text: r.error.message });
      return;
    }
    setErrors({});
    setDraft(r.value.settings);
    applyTheme(r.value.settings.theme);
    onSaved(r.value);
    setMessage({ ok: true, text: 'Settings saved.' });
  };

  return (
    <form className="card settings-form" onSubmit={(e) => void save(e)} aria-labelledby="general-title" noValidate>
      <h3 id="general-title">General</h3>
      <div className="field">
        <label htmlFor="modelsDir">Models folder</label>
        <input
          id="modelsDir"
          className="mono"
          value={draft.modelsDir}
          onChange={(e) => set('modelsDir', e.target.value)}
          aria-invalid={Boolean(errors['modelsDir'])}
          aria-describedby="modelsDir-help"
        />
        <span id="modelsDir-help" className="hint">
          {errors['modelsDir'] ?? `Where GGUF model files are kept; used from the next start. Default: ${view.defaults.modelsDir}`}
        </span>
      </div>
      <div className="field narrow">
        <label htmlFor="threads">Inference threads</label>
        <input
          id="threads"
          type="number"
          min={1}
          max={view.maxThreads}
          value={draft.threads}
          onChange={(e) => set('threads', Math.round(Number(e.target.value)))}
          aria-invalid={Boolean(errors['threads'])}
          aria-describedby="threads-help"
        />
        <span id="threads-help" className={errors['threads'] ? 'field-error' : 'hint'}>
          {errors['threads'] ?? `CPU threads for local models, used from the next start; this machine has ${view.maxThreads}.`}
        </span>
      </div>
      <div className="field narrow">
        <label htmlFor="idle-unload">Unload idle models after (minutes)</label>
        <input
          id="idle-unload"
          type="number"
          min={0}
          max={1440}
          value={draft.idleUnloadMinutes ?? view.defaults.idleUnloadMinutes ?? 10}
          onChange={(e) => set('idleUnloadMinutes', Math.round(Number(e.target.value)))}
          aria-invalid={Boolean(errors['idleUnloadMinutes'])}
          aria-describedby="idle-unload-help"
        />
        <span id="idle-unload-help" className={errors['idleUnloadMinutes'] ? 'field-error' : 'hint'}>
          {errors['idleUnloadMinutes'] ?? 'A loaded model nobody uses for this long is unloaded to free memory; 0 keeps models loaded. Applies at once.'}
        </span>
      </div>
      <fieldset className="field">
        <legend>Appearance</legend>
        <div className="row">
          {THEMES.map((t) => (
            <label key={t} className="radio">
              <input type="radio" name="theme" value={t} checked={draft.theme === t} onChange={() => set('theme', t)} />
              {THEME_LABELS[t]}
            </label>
          ))}
        </div>
      </fieldset>
      <fieldset className="field">
        <legend>Default gate commands</legend>
        <p className="hint">Used for repositories without their own; leave empty to detect them from the project.</p>
        {(['tests', 'typecheck', 'lint'] as const).map((k) => (
          <div className="field" key={k}>
            <label htmlFor={`gate-${k}`}>{k === 'tests' ? 'Tests' : k === 'typecheck' ? 'Type check' : 'Lint'}</label>
            <input id={`gate-${k}`} className="mono" value={draft.gateCommands[k] ?? ''} placeholder="detect" onChange={(e) => setCommand(k, e.target.value)} />
          </div>
        ))}
      </fieldset>
      <fieldset className="field">
        <legend>Allowed folders and sandbox</legend>
        <div className="field">
          <label htmlFor="allowed-roots">Folders tasks may target (one per line)</label>
          <textarea
            id="allowed-roots"
            className="mono"
            rows={3}
            value={(draft.allowedRoots ?? []).join('\n')}
            onChange={(e) => set('allowedRoots', e.target.value.split('\n').map((l) => l.trim()).filter(Boolean))}
          />
          {errors['allowedRoots'] ? <p className="form-error">{errors['allowedRoots']}</p> : null}
        </div>
        <label htmlFor="run-without-sandbox">
          <input id="run-without-sandbox" type="checkbox" checked={draft.runWithoutSandbox === true} onChange={(e) => set('runWithoutSandbox', e.target.checked)} /> Run commands without a sandbox
          when this machine has none (not recommended: every task page shows a warning and each run is journaled)
        </label>
      </fieldset>
      <EmbeddingModelField value={draft.knowledgeEmbeddingModel ?? ''} error={errors['knowledgeEmbeddingModel']} onChange={(name) => set('knowledgeEmbeddingModel', name)} />
      <div className="field">
        <label htmlFor="otlpEndpoint">Trace collector (OTLP/HTTP)</label>
        <input
          id="otlpEndpoint"
          className="mono"
          value={draft.otlpEndpoint ?? ''}
          placeholder="off"
          onChange={(e) => set('otlpEndpoint', e.target.value.trim())}
          aria-invalid={Boolean(errors['otlpEndpoint'])}
          aria-describedby="otlpEndpoint-help"
        />
        <span id="otlpEndpoint-help" className={errors['otlpEndpoint'] ? 'field-error' : 'hint'}>
          {errors['otlpEndpoint'] ??
            'Send each task as an OpenTelemetry trace to this collector, e.g. http://127.0.0.1:4318 (Jaeger, Tempo, Langfuse, Phoenix); used from the next start. Empty: nothing is sent unless OTEL_EXPORTER_OTLP_ENDPOINT is set.'}
        </span>
      </div>
      <div className="field">
        <label htmlFor="traceViewerUrl">Trace viewer address</label>
        <input
          id="traceViewerUrl"
          className="mono"
          value={draft.traceViewerUrl ?? ''}
          placeholder="http://127.0.0.1:16686/trace/{traceId}?uiFind={spanId}"
          onChange={(e) => set('traceViewerUrl', e.target.value.trim())}
          aria-invalid={Boolean(errors['traceViewerUrl'])}
          aria-describedby="traceViewerUrl-help"
        />
        <span id="traceViewerUrl-help" className={errors['traceViewerUrl'] ? 'field-error' : 'hint'}>
          {errors['traceViewerUrl'] ??
            'Where a task page links its trace and each phase’s span: {traceId} and {spanId} are replaced by the ids (Jaeger: http://127.0.0.1:16686/trace/{traceId}?uiFind={spanId}). Empty: the page shows the ids only.'}
        </span>
      </div>
      <label htmlFor="keepTaskTraces">
        <input id="keepTaskTraces" type="checkbox" checked={draft.keepTaskTraces !== false} onChange={(e) => set('keepTaskTraces', e.target.checked)} /> Keep each task’s trace
        in the data folder, so its audit bundle can include it (nothing leaves this machine; used from the next start)
      </label>
      {message && (
        <p className={message.ok ? 'form-ok' : 'form-error'} role={message.ok ? 'status' : 'alert'}>
          {message.text}
        </p>
      )}
      <button type="submit" disabled={busy}>
        {busy ? 'Saving…' : 'Save settings'}
      </button>
    </form>
  );
}
