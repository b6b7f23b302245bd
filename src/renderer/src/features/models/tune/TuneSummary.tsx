import type { TuneRunView } from '../../../../../shared/domain/model-tune';

const tps = (v: number | null) => (v === null ? '—' : `${v.toFixed(1)} tok/s`);

/** The best setting found, its throughput against the defaults', and the trials that did not count. */
export function TuneSummary({ run }: { run: TuneRunView }) {
  const unmeasured = run.trials.filter((t) => t.status !== 'counted');
  return (
    <>
      {run.defaultTps !== null && (
        <p data-testid="tune-gain">
          Best {tps(run.bestTps)} against the default {tps(run.defaultTps)}
          {run.gain !== null && (
            <>
              : <strong>{run.gain.toFixed(2)}× the default</strong>
            </>
          )}
          {run.state === 'running' ? ' so far.' : '.'}
        </p>
      )}
      {run.best && (
        <dl className="tune-best" aria-label="Best settings">
          <dt>Batch</dt>
          <dd>{run.best.batchSize}</dd>
          <dt>Threads</dt>
          <dd>{run.best.threads}</dd>
          <dt>Context</dt>
          <dd>{run.best.contextSize}</dd>
          <dt>GPU layers</dt>
          <dd>{run.best.gpuLayers}</dd>
          <dt>Flash attention</dt>
          <dd>{run.best.flashAttention}</dd>
          <dt>KV cache</dt>
          <dd>{run.best.kvCacheType}</dd>
        </dl>
      )}
      {run.state === 'completed' && run.best && <p className="muted">Stored for this machine: the next load of {run.model} uses it (your own settings for it still win).</p>}
      {unmeasured.length > 0 && (
        <ul className="tune-unmeasured" aria-label="Trials skipped or discarded">
          {unmeasured.map((t) => (
            <li key={t.n}>
              Trial {t.n} {t.status}: {t.reason}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
