import { outcomeLabel, stopLabel, type IterationView, type StopView } from './iterations';
import './changes.css';

export type IterationsProps = {
  iterations: readonly IterationView[];
  stop?: StopView | null;
  /** Shown as "n of max" while the loop runs. */
  maxIterations?: number;
};

/** Each worker iteration with its score, what became of its change, the gates, and the stop reason. */
export function Iterations({ iterations, stop = null, maxIterations }: IterationsProps) {
  return (
    <section className="chg-section" aria-labelledby="iterations-title">
      <h3 id="iterations-title">
        Iterations
        {maxIterations ? <span className="muted"> ({iterations.length} of at most {maxIterations})</span> : null}
      </h3>
      {stop ? (
        <p className={`chg-stop stop-${stop.reason}`} role="status" data-stop-reason={stop.reason}>
          <strong>{stopLabel(stop.reason)}</strong>
          <span className="muted">
            {' '}
            after {stop.iteration} iteration{stop.iteration === 1 ? '' : 's'}, score {formatScore(stop.score)}
          </span>
          {stop.detail ? <span className="chg-stop-detail">{stop.detail}</span> : null}
        </p>
      ) : null}
      {iterations.length === 0 ? (
        <p className="empty">{stop ? 'No iteration ran.' : 'The worker has not started yet.'}</p>
      ) : (
        <ol className="chg-iterations" aria-label="Worker iterations">
          {iterations.map((it) => (
            <li key={it.iteration} className="chg-iteration" data-iteration={it.iteration} data-outcome={it.outcome ?? 'running'}>
              <div className="chg-iteration-head">
                <span className="chg-iteration-no">#{it.iteration}</span>
                <ScoreBar score={it.score} />
                <span className={`badge outcome-${it.outcome ?? 'running'}`}>{it.evaluated && it.outcome ? outcomeLabel(it.outcome) : it.evaluated ? 'evaluated' : 'running…'}</span>
                {it.rolledBack ? <span className="badge outcome-rolled_back">rolled back</span> : null}
                {it.guidance > 0 ? <span className="badge">with your guidance</span> : null}
              </div>
              {it.summary ? (
                <p className="chg-summary">
                  {it.summary}
                  {it.confidence !== null ? <span className="muted"> (confidence {Math.round(it.confidence * 100)}%)</span> : null}
                </p>
              ) : null}
              {it.files !== null ? (
                <p className="muted mono">
                  {it.files} file{it.files === 1 ? '' : 's'}, <span className="chg-add">+{it.linesAdded ?? 0}</span> <span className="chg-del">−{it.linesRemoved ?? 0}</span>
                </p>
              ) : null}
              {it.detail ? <p className="chg-detail">{it.detail}</p> : null}
              {it.gates.length > 0 ? (
                <ul className="chg-gates" aria-label={`Gates after iteration ${it.iteration}`}>
                  {it.gates.map((g) => (
                    <li key={g.gate} className={`badge status-${g.status}`}>
                      {g.gate}: {g.status}
                    </li>
                  ))}
                </ul>
              ) : null}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

function ScoreBar({ score }: { score: number | null }) {
  if (score === null) return <span className="muted chg-score">score —</span>;
  const pct = Math.round(Math.max(0, Math.min(1, score)) * 100);
  return (
    <span className="chg-score">
      <span className="chg-meter" role="meter" aria-label="Score" aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct}>
        <span style={{ width: `${pct}%` }} />
      </span>
      <span className="mono">{formatScore(score)}</span>
    </span>
  );
}

const formatScore = (s: number) => s.toFixed(2);
