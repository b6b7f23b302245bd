import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { TUNE_BUDGET, type TuneJobBrief, type TuneRunView } from '../../../../../shared/domain/model-tune';
import { api } from '../../../api';
import { TuneChart } from './TuneChart';
import { TuneSummary } from './TuneSummary';
import { countedTrials } from './tune-state';
import { tuneKey, useTuneRun } from './use-tune';

function statusLine(run: TuneRunView): string {
  switch (run.state) {
    case 'running':
      return `Tuning ${run.model}: trial ${countedTrials(run)} of ${run.budget ?? '?'} measured${run.backend ? ` on ${run.backend}` : ''}…`;
    case 'completed':
      return `Tuned ${run.model} over ${countedTrials(run)} trials.`;
    case 'cancelled':
      return `Tuning ${run.model} was cancelled after ${countedTrials(run)} trials; nothing was stored.`;
    case 'failed':
      return `Tuning ${run.model} failed: ${run.error ?? 'unknown error'}`;
  }
}

/**
 * The runtime tuner for one local model: a budget, Start and Cancel, live progress (trials arrive on
 * the model event feed, applied by useModels), the chart, and the best setting with its gain.
 */
export function TunePanel({ model, tuning, onRefresh, onClose }: { model: string; tuning: TuneJobBrief | null; onRefresh: () => Promise<void>; onClose: () => void }) {
  const client = useQueryClient();
  const { data: run, error: readError } = useTuneRun(model);
  const [budget, setBudget] = useState(String(TUNE_BUDGET.default));
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const running = run?.state === 'running';
  const other = tuning && tuning.model !== model ? tuning.model : null;

  const start = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const r = await api.startModelTune({ name: model, budget: Number(budget) });
    setBusy(false);
    if (!r.ok) setError(r.error.message);
    else client.setQueryData(tuneKey(model), r.value);
    await onRefresh();
  };
  const cancel = async () => {
    setBusy(true);
    const r = await api.cancelModelTune({ name: model });
    setBusy(false);
    if (!r.ok) setError(r.error.message);
    else client.setQueryData(tuneKey(model), r.value);
    await onRefresh();
  };

  return (
    <section className="card tune-panel" aria-labelledby="tune-title">
      <div className="list-header">
        <h2 id="tune-title">Tuning {model}</h2>
        <button type="button" className="secondary" onClick={onClose}>
          Close
        </button>
      </div>
      <p className="muted">
        Measures a fixed workload with the defaults, then with the settings (batch, threads, context, GPU layers, flash attention, KV cache) most likely to be faster. Trials measured while the machine is hot are discarded; settings over the memory budget are never
        loaded.
      </p>
      {/* The core checks the budget and names the field; the browser would refuse silently. */}
      <form className="tune-form" noValidate onSubmit={(e) => void start(e)}>
        <label>
          Budget (trials)
          <input type="number" min={TUNE_BUDGET.min} max={TUNE_BUDGET.max} step={1} value={budget} onChange={(e) => setBudget(e.target.value)} disabled={running} />
        </label>
        <button type="submit" disabled={busy || running || other !== null} title={other ? `${other} is being tuned` : undefined}>
          Start tuning
        </button>
        {running && (
          <button type="button" className="secondary" onClick={() => void cancel()} disabled={busy}>
            Cancel
          </button>
        )}
      </form>
      {other && <p className="muted">{other} is being tuned; one run goes at a time, as two would slow each other.</p>}
      {(error ?? readError) && (
        <p className="form-error" role="alert">
          {error ?? readError?.message}
        </p>
      )}
      {run === null && <p className="empty">Not tuned on this machine yet.</p>}
      {run && (
        <>
          <p role="status" data-testid="tune-status">
            {statusLine(run)}
          </p>
          {run.trials.length > 0 && <TuneChart trials={run.trials} model={model} />}
          <TuneSummary run={run} />
        </>
      )}
    </section>
  );
}
