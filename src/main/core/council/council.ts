import type { Decision, FinalVerdict, JudgeVerdict } from '../../../shared/domain/governance';
import type { CalibratedReview } from '../calibration/apply';
import type { VerifiedClaim } from '../claims/types';
import type { VoteSignal } from '../calibration/types';
import type { ModelGateway, ModelRole } from '../models/types';
import type { Logger } from '../observability/logger';
import { conditionsOf, decide, dissentOf, questionsOf, tally, violationsOf, type Tally } from './aggregate';
import { JUDGES } from './judges';
import { runJudge, type PeerView } from './judge-runner';
import { withCheckedClaims } from './claim-votes';
import { createLimiter, type Limiter } from './limiter';
import { JUDGE_WEIGHTS, MAX_DEBATE_ROUNDS, type JudgeDefinition, type ReviewSubject } from './types';

export type CouncilOptions = {
  gateway: ModelGateway;
  logger: Logger;
  /** How many judges may run at once (the scheduler's admission in production). */
  limiter?: Limiter;
  /** Per judge and round; a judge that takes longer votes fail. */
  judgeTimeoutMs?: number;
  maxDebateRounds?: number;
  /** Output limit of each judge's model review. */
  judgeMaxTokens?: number;
  judges?: readonly JudgeDefinition[];
  /**
   * The installation's calibration (off by default): in "suggest" it only records what it would
   * decide; in "apply" it decides a numerical outcome, never against a veto or a missing judge.
   */
  calibration?: CouncilCalibration;
};

export type CouncilCalibration = {
  review(input: { tier: 1 | 2 | 3; votes: readonly VoteSignal[]; council: Decision; vetoed: boolean }): CalibratedReview;
  /** Told what the calibration said for each decision (journaled in the calibration log). */
  noted?(taskId: string, subject: string, review: CalibratedReview): void;
};

export type ReviewOptions = {
  signal?: AbortSignal;
  /** Each vote as it arrives, debate rounds included. */
  onVote?: (verdict: JudgeVerdict) => void;
  /**
   * Checks the claims in a judge's reasons against the evidence (a change review). A pass resting on a
   * refuted claim counts as uncertain; a checker that fails leaves the vote as it is (its claims unchecked).
   */
  checkClaims?: (verdict: JudgeVerdict) => Promise<VerifiedClaim[]>;
  /** Each judge's checked claims, every round (the last call per judge is its final round). */
  onClaims?: (judgeId: JudgeVerdict['judge_id'], claims: VerifiedClaim[]) => void;
};

export type CouncilResult = {
  verdict: FinalVerdict;
  /** Every vote of every round, in order. */
  rounds: JudgeVerdict[];
};

/**
 * The four-judge council. Each round runs the judges (bounded by the limiter), scores the votes by
 * weight against the tier's threshold, and debates — judges see each other's reasons — while the
 * score sits between 0.5 and the threshold, at most twice. A constitutional fail vetoes; a judge
 * that errors counts as a fail. In auto mode a council still split after debate escalates to a
 * human rather than guessing.
 */
export class Council {
  private readonly gateway: ModelGateway;
  private readonly logger: Logger;
  private readonly limiter: Limiter;
  private readonly judgeTimeoutMs: number;
  private readonly maxDebateRounds: number;
  private readonly judges: readonly JudgeDefinition[];
  private readonly judgeMaxTokens: number | undefined;
  private readonly calibration: CouncilCalibration | undefined;

  constructor(options: CouncilOptions) {
    this.gateway = options.gateway;
    this.logger = options.logger;
    this.limiter = options.limiter ?? createLimiter(2);
    this.judgeTimeoutMs = options.judgeTimeoutMs ?? 120_000;
    this.maxDebateRounds = Math.min(MAX_DEBATE_ROUNDS, Math.max(0, options.maxDebateRounds ?? MAX_DEBATE_ROUNDS));
    this.judges = options.judges ?? JUDGES;
    this.judgeMaxTokens = options.judgeMaxTokens;
    this.calibration = options.calibration;
  }

  async review(subject: ReviewSubject, options: ReviewOptions = {}): Promise<CouncilResult> {
    const all: JudgeVerdict[] = [];
    let current = await this.round(subject, 1, undefined, options);
    all.push(...current);
    let score: Tally = tally(current, subject.riskTier);
    let debates = 0;
    while (score.outcome === 'contested' && debates < this.maxDebateRounds) {
      debates++;
      const peers = current;
      current = await this.round(subject, debates + 1, peers, options);
      all.push(...current);
      score = tally(current, subject.riskTier);
    }
    let decision = decide(score);
    // Questions asked stay asked; otherwise the calibration may speak, inside the fixed rules.
    if (this.calibration && score.outcome !== 'needs-info') {
      const votes = current.map((v) => ({ judge_id: v.judge_id, verdict: v.verdict, confidence: v.confidence, errored: v.error !== undefined }));
      const cal = this.calibration.review({ tier: subject.riskTier, votes, council: decision, vetoed: score.vetoed });
      this.calibration.noted?.(subject.taskId, subject.kind, cal);
      decision = cal.decision;
    }
    const escalated = decision === 'modify' && subject.mode === 'auto';
    const constitutional = current.find((v) => v.judge_id === 'constitutional');
    const refs = [...new Set((constitutional?.evidence ?? []).map((e) => e.ref).filter((r) => r.startsWith('CAWS-') || r.startsWith('gate:')))];
    const verdict: FinalVerdict = {
      decision,
      votes: score.votes,
      dissent: dissentOf(decision, current),
      remediation: remediationOf(current),
      constitutional_refs: refs,
      score: score.score,
      threshold: score.threshold,
      riskTier: subject.riskTier,
      debateRounds: debates,
      vetoed: score.vetoed,
      escalated,
      judges: current,
      conditions: decision === 'accept' ? conditionsOf(current) : [],
      questions: score.outcome === 'needs-info' ? questionsOf(current) : [],
      violations: violationsOf(current),
    };
    this.logger.info({ taskId: subject.taskId, subject: subject.kind, decision, score: score.score, debates, vetoed: score.vetoed, escalated }, 'council verdict');
    return { verdict, rounds: all };
  }

  private async checked(verdict: JudgeVerdict, options: ReviewOptions): Promise<JudgeVerdict> {
    if (!options.checkClaims || verdict.error) return verdict;
    let claims: VerifiedClaim[];
    try {
      claims = await options.checkClaims(verdict);
    } catch (e) {
      this.logger.warn({ err: e, judge: verdict.judge_id }, "could not check the judge's claims");
      return verdict;
    }
    options.onClaims?.(verdict.judge_id, claims);
    return withCheckedClaims(verdict, claims);
  }

  private async round(subject: ReviewSubject, round: number, previous: readonly JudgeVerdict[] | undefined, options: ReviewOptions): Promise<JudgeVerdict[]> {
    return Promise.all(
      this.judges.map((judge) =>
        this.limiter.run(
          `judge ${judge.id} (${subject.kind}, round ${round})`,
          async () => {
            const peers: PeerView[] = (previous ?? []).filter((p) => p.judge_id !== judge.id).map((p) => ({ judge_id: p.judge_id, verdict: p.verdict, reasons: p.reasons }));
            const voted = await runJudge(judge, subject, {
              client: this.gateway.client(`judge.${judge.id}` as ModelRole),
              round,
              timeoutMs: this.judgeTimeoutMs,
              peers,
              ...(this.judgeMaxTokens ? { maxTokens: this.judgeMaxTokens } : {}),
              ...(options.signal ? { signal: options.signal } : {}),
            });
            const verdict = await this.checked(voted, options);
            options.onVote?.(verdict);
            return verdict;
          },
          options.signal,
        ),
      ),
    );
  }
}

function remediationOf(verdicts: readonly JudgeVerdict[]): string[] {
  const out = new Set<string>();
  for (const v of verdicts) {
    if (v.verdict === 'pass') continue;
    for (const r of v.reasons) out.add(`${v.judge_id}: ${r}`);
  }
  return [...out].slice(0, 20);
}

export { JUDGE_WEIGHTS };
