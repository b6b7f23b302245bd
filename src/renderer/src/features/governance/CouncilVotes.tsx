import './governance.css';

/** One judge's vote as the page shows it (from a stored verdict or a live `council.vote` event). */
export type CouncilVote = {
  judgeId: string;
  verdict: 'pass' | 'fail' | 'uncertain' | 'needs-info' | 'conditional';
  confidence: number;
  reasons: readonly string[];
  weight?: number;
  round?: number;
  /** Set when the judge failed to answer and its vote is a fail-closed `fail`. */
  error?: string;
  model?: string;
};

export type CouncilOutcome = {
  decision: 'accept' | 'reject' | 'modify';
  score: number;
  threshold?: number;
  vetoed?: boolean;
  escalated?: boolean;
  debateRounds?: number;
  dissent: readonly { judgeId: string; verdict: string; reasons: readonly string[] }[];
  remediation?: readonly string[];
};

export type CouncilVotesProps = {
  /** `Plan review` or `Change review`. */
  title: string;
  votes: readonly CouncilVote[];
  /** Absent while the council is still voting. */
  outcome?: CouncilOutcome;
};

const JUDGE_ORDER = ['constitutional', 'technical', 'quality', 'integration'];
const DECISION_LABEL = { accept: 'accepted', reject: 'rejected', modify: 'changes requested' } as const;

/** Each judge's latest vote with confidence and reasons, then the decision and any dissent. */
export function CouncilVotes({ title, votes, outcome }: CouncilVotesProps) {
  const latest = new Map<string, CouncilVote>();
  for (const v of votes) {
    const seen = latest.get(v.judgeId);
    if (!seen || (v.round ?? 1) >= (seen.round ?? 1)) latest.set(v.judgeId, v);
  }
  const ordered = [...latest.values()].sort((a, b) => JUDGE_ORDER.indexOf(a.judgeId) - JUDGE_ORDER.indexOf(b.judgeId));
  const id = `council-${title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  return (
    <section className="gov-section" aria-labelledby={id}>
      <h3 id={id}>
        {title}
        {outcome ? (
          <>
            {' '}
            <span className={`badge decision-${outcome.decision}`} data-decision={outcome.decision}>
              {DECISION_LABEL[outcome.decision]}
            </span>
          </>
        ) : (
          <span className="muted"> · voting ({ordered.length}/4)</span>
        )}
      </h3>
      {outcome ? (
        <p>
          Score {outcome.score.toFixed(2)}
          {outcome.threshold !== undefined ? ` (needs ${outcome.threshold.toFixed(2)})` : ''}
          {outcome.vetoed ? ' · constitutional veto' : ''}
          {outcome.debateRounds ? ` · ${outcome.debateRounds} debate round${outcome.debateRounds > 1 ? 's' : ''}` : ''}
          {outcome.escalated ? ' · escalated to a human' : ''}
        </p>
      ) : null}
      {ordered.length === 0 ? (
        <p className="empty">No votes yet.</p>
      ) : (
        <ul className="gov-judges" aria-label={`${title} votes`}>
          {ordered.map((v) => (
            <li key={v.judgeId} className="gov-judge" data-judge={v.judgeId} data-verdict={v.verdict}>
              <h4>
                <span>{v.judgeId}</span>
                <span className={`badge verdict-${v.verdict}`}>{v.verdict}</span>
              </h4>
              <div className="muted">
                confidence {Math.round(v.confidence * 100)}%{v.weight !== undefined ? ` · weight ${v.weight}` : ''}
                {v.round && v.round > 1 ? ` · round ${v.round}` : ''}
                {v.model ? ` · ${v.model}` : ''}
              </div>
              <div className="gov-meter" role="meter" aria-label={`${v.judgeId} confidence`} aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(v.confidence * 100)}>
                <span style={{ width: `${Math.round(v.confidence * 100)}%` }} />
              </div>
              {v.error ? <p role="note">Did not answer ({v.error}); counted as a fail.</p> : null}
              <ul className="gov-list">
                {v.reasons.map((r, i) => (
                  <li key={i}>{r}</li>
                ))}
              </ul>
            </li>
          ))}
        </ul>
      )}
      {outcome && outcome.dissent.length > 0 ? (
        <div aria-label="Dissent">
          <h4>Dissent</h4>
          <ul className="gov-list">
            {outcome.dissent.map((d) => (
              <li key={d.judgeId}>
                <strong>{d.judgeId}</strong> voted {d.verdict}: {d.reasons.join('; ') || 'no reason given'}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {outcome?.remediation?.length ? (
        <details>
          <summary>Remediation ({outcome.remediation.length})</summary>
          <ul className="gov-list">
            {outcome.remediation.map((r) => (
              <li key={r}>{r}</li>
            ))}
          </ul>
        </details>
      ) : null}
    </section>
  );
}
