import { type ModelView } from '../../../../shared/domain/model';
import { api } from '../../api';
import { bytes, FIT_LABEL, parameters } from './format';
import { Badge } from './Badge';
import type { Action } from './use-action';
import type { TuneJobBrief } from '../../../../shared/domain/model-tune';
import { TuneButton } from './tune/TuneButton';

export function InstalledRow({ model, action, tuning, onTune }: { model: ModelView; action: Action; tuning: TuneJobBrief | null; onTune: (name: string) => void }) {
  const { entry } = model;
  const name = entry.name;
  const loaded = model.state === 'loaded';
  return (
    <tr>
      <td>
        <strong>{name}</strong>
        <div className="muted mono">
          {entry.kind === 'gguf' ? `${entry.facts.architecture}, ${parameters(entry.facts.parameters)} parameters, context ${entry.facts.contextLength ?? '?'}` : `${entry.endpoint.baseUrl} (${entry.endpoint.model})`}
        </div>
        {model.lastError && <div className="field-error">{model.lastError}</div>}
      </td>
      <td>{entry.kind === 'gguf' ? bytes(entry.sizeBytes) : 'remote'}</td>
      <td>{entry.kind === 'gguf' ? entry.facts.quantization : '—'}</td>
      <td>{model.fit ? <Badge className={`fit-${model.fit.verdict}`} title={model.fit.message}>{FIT_LABEL[model.fit.verdict]}</Badge> : <span className="muted">remote</span>}</td>
      <td>
        <Badge className={`model-state-${model.state}`}>{model.state}</Badge>
        {model.inFlight > 0 && <div className="muted">{model.inFlight} in flight</div>}
        {model.memoryBytes ? <div className="muted">{bytes(model.memoryBytes)}</div> : null}
      </td>
      <td>{model.roles.length ? model.roles.join(', ') : <span className="muted">none</span>}</td>
      <td className="muted">
        {model.metrics.tokensPerSecond !== null ? `${model.metrics.tokensPerSecond.toFixed(1)} tok/s` : '—'}
        {model.metrics.meanFirstTokenMs !== null && <div title="Mean time to the first token over recent calls">first token {Math.round(model.metrics.meanFirstTokenMs)} ms</div>}
        {model.metrics.meanQueueWaitMs !== null && model.metrics.meanQueueWaitMs >= 1 && <div title="Mean wait of recent calls before they held the model: the scheduler's admission and loading">queued {Math.round(model.metrics.meanQueueWaitMs)} ms</div>}
        {model.metrics.meanLatencyMs !== null && <div title="Mean duration of recent calls, waiting for the model included">call {(model.metrics.meanLatencyMs / 1000).toFixed(1)} s</div>}
        {model.metrics.calls > 0 && <div>{Math.round(model.metrics.errorRate * 100)}% errors</div>}
      </td>
      <td>
        <div className="model-actions">
          {loaded ? (
            <button type="button" className="secondary" onClick={() => void action.run(`Unloading ${name}`, () => api.unloadModel({ name }))}>
              Unload
            </button>
          ) : (
            <button type="button" onClick={() => void action.run(`Loading ${name}`, () => api.loadModel({ name }))} disabled={model.state === 'loading' || model.state === 'queued'}>
              Load
            </button>
          )}
          <button type="button" className="secondary" onClick={() => void action.run(`Removing ${name}`, () => api.removeModel({ name }))} disabled={model.roles.length > 0} title={model.roles.length > 0 ? 'Assign its roles to another model first' : undefined}>
            Remove
          </button>
          <TuneButton model={model} tuning={tuning} onTune={onTune} />
        </div>
      </td>
    </tr>
  );
}
