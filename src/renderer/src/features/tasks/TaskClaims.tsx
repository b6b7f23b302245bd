import type { ClaimView, CriterionView } from '../../../../shared/domain/claims';

const STAGE: Record<ClaimView['stage'], string> = { execute: 'worker', review_plan: 'plan review', review_change: 'change review' };

/** Each criterion's latest standing: the change review's when there is one, else the last execution round's. */
function latestCriteria(criteria: readonly CriterionView[]): CriterionView[] {
  const byId = new Map<string, CriterionView>();
  for (const c of criteria) {
    const prev = byId.get(c.criterionId);
    if (!prev || c.round > prev.round || (c.round === prev.round && c.stage === 'review_change')) byId.set(c.criterionId, c);
  }
  return [...byId.values()];
}

/**
 * The claim table: what the worker and each judge claimed, whether the evidence the app holds (the
 * diff, the workspace, the gates, the tests) verified or refuted it, and where each acceptance
 * criterion stands — met only by a verified claim. A claim whose source changed after it was checked
 * is marked stale.
 */
export function TaskClaims({ claims, criteria }: { claims: readonly ClaimView[]; criteria: readonly CriterionView[] }) {
  if (claims.length === 0 && criteria.length === 0) return null;
  const standing = latestCriteria(criteria);
  const refuted = claims.filter((c) => c.status === 'refuted').length;
  const stale = claims.filter((c) => c.stale).length;
  return (
    <section className="card" aria-labelledby="claims-title" data-testid="task-claims">
      <h3 id="claims-title">Claims and criteria</h3>
      {standing.length > 0 ? (
        <ul className="criteria-standing" aria-label="Acceptance criteria">
          {standing.map((c) => (
            <li key={c.criterionId} data-testid={`criterion-${c.criterionId}`}>
              <strong>{c.criterionId}</strong> <span className={`badge claim-${c.status}`}>{c.status === 'verified' ? 'met' : c.status === 'pending' ? 'awaiting the constitutional judge' : c.status === 'refuted' ? 'test failed' : 'not met'}</span>{' '}
              <span className="muted">{c.evidence}</span>
            </li>
          ))}
        </ul>
      ) : null}
      <p className="muted">
        {claims.length} claim(s){refuted ? `, ${refuted} refuted by the evidence` : ''}
        {stale ? `, ${stale} stale (checked against a file that changed since)` : ''}.
      </p>
      {claims.length > 0 ? (
        <table className="gov-table claims-table">
          <thead>
            <tr>
              <th scope="col">By</th>
              <th scope="col">Claim</th>
              <th scope="col">Status</th>
              <th scope="col">Evidence</th>
            </tr>
          </thead>
          <tbody>
            {claims.map((c) => (
              <tr key={c.id} data-testid="claim-row">
                <td>
                  {c.author.replace(/^judge:/, '')} <span className="muted">({STAGE[c.stage]}, round {c.round})</span>
                </td>
                <td>
                  <span className="mono">
                    {c.kind}
                    {c.subject ? ` ${c.subject}` : ''}
                  </span>
                  <br />
                  <span className="muted">“{c.text}”</span>
                </td>
                <td>
                  <span className={`badge claim-${c.status}`}>{c.status}</span>
                  {c.stale ? (
                    <>
                      {' '}
                      <span className="badge claim-stale" data-testid="claim-stale" title="a source it was checked against changed afterwards: it no longer counts as verified">
                        stale
                      </span>
                    </>
                  ) : null}
                </td>
                <td>
                  {c.evidence}
                  {c.sources?.length ? (
                    <span className="muted mono">
                      {' '}
                      (checked against{' '}
                      {c.sources.map((src) => `${src.path}${src.location ? ` ${src.location}` : ''} ${src.sha256.slice(0, 8)}${src.stale ? ', changed since' : ''}`).join('; ')})
                    </span>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
