import { type CouncilOutcome, type EvalTaskResult, type EvalTotals } from '../../../shared/domain/eval';

export { COUNCIL_OUTCOMES, EvalTaskResult, EvalTotals, type CouncilOutcome } from '../../../shared/domain/eval';

export function totalsOf(results: readonly EvalTaskResult[]): EvalTotals {
  const count = (o: CouncilOutcome) => results.filter((r) => r.councilOutcome === o).length;
  const ta = count('true_accept');
  const fa = count('false_accept');
  const fr = count('false_reject');
  const resolved = results.filter((r) => r.resolved).length;
  const sum = (f: (r: EvalTaskResult) => number) => results.reduce((a, r) => a + f(r), 0);
  const tokens = sum((r) => r.promptTokens + r.completionTokens);
  const wallMs = sum((r) => r.wallMs);
  return {
    attempts: results.length,
    resolved,
    resolvedRate: results.length === 0 ? 0 : resolved / results.length,
    council: {
      trueAccept: ta,
      falseAccept: fa,
      trueReject: count('true_reject'),
      falseReject: fr,
      unreviewed: count('none'),
      precision: ta + fa === 0 ? null : ta / (ta + fa),
      recall: ta + fr === 0 ? null : ta / (ta + fr),
    },
    modelCalls: sum((r) => r.modelCalls),
    promptTokens: sum((r) => r.promptTokens),
    completionTokens: sum((r) => r.completionTokens),
    wallMs,
    tokensPerResolved: resolved === 0 ? null : tokens / resolved,
    wallMsPerResolved: resolved === 0 ? null : wallMs / resolved,
  };
}
