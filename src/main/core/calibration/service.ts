import type { Db } from '../db/open';
import { listOutcomes, readCalibration, upsertOutcome, writeCalibration, type StoredCalibration } from '../db/queries/calibration';
import { verdictsForTask } from '../db/queries/verdicts';
import { appendFederationLog } from '../db/queries/federation';
import { reviewWithCalibration, type CalibratedReview } from './apply';
import { defaultParams, effectOn, fitCalibration, type CalibrationEffect } from './fit';
import { CouncilOutcome, type CalibrationMode, type CalibrationParams, type OutcomeSource, type VoteSignal } from './types';
import type { Decision } from '../../../shared/domain/governance';
import type { RiskTier } from '../../../shared/domain/task';

export type CalibrationServiceOptions = { db: Db; clock: { now(): number } };

export type CalibrationView = StoredCalibration & { effect: CalibrationEffect; outcomesBySource: Record<string, number> };

/**
 * The installation's council calibration: outcomes in, a fitted calibration out, and the council's
 * decision passed through it according to the mode. Off until the user turns it on.
 */
export class CalibrationService {
  constructor(private readonly o: CalibrationServiceOptions) {}

  recordOutcome(input: unknown): CouncilOutcome {
    const parsed = CouncilOutcome.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new Error(`outcome.${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`);
    }
    upsertOutcome(this.o.db, parsed.data, this.o.clock.now());
    return parsed.data;
  }

  /**
   * Records the truth about a task's last council decision on `subject` (the change, by default):
   * its votes as signals, never its reasons. Returns undefined when the council never decided.
   */
  recordForTask(taskId: string, good: boolean, source: OutcomeSource, subject: 'plan' | 'change' = 'change'): CouncilOutcome | undefined {
    const v = verdictsForTask(this.o.db, taskId).filter((x) => x.subject === subject).at(-1);
    if (!v) return undefined;
    return this.recordOutcome({
      verdictId: v.id,
      taskId,
      riskTier: v.verdict.riskTier,
      decision: v.verdict.decision,
      votes: v.verdict.judges.map((j) => ({ judge_id: j.judge_id, verdict: j.verdict, confidence: j.confidence, errored: j.error !== undefined })),
      good,
      source,
      knownAt: this.o.clock.now(),
    });
  }

  outcomes(sources?: readonly OutcomeSource[]): CouncilOutcome[] {
    return listOutcomes(this.o.db, sources);
  }

  current(): StoredCalibration {
    return readCalibration(this.o.db) ?? { mode: 'off', params: defaultParams(), source: 'default', fittedAt: 0, counts: {} };
  }

  view(): CalibrationView {
    const cur = this.current();
    const outcomes = this.outcomes();
    const outcomesBySource: Record<string, number> = {};
    for (const o of outcomes) outcomesBySource[o.source] = (outcomesBySource[o.source] ?? 0) + 1;
    return { ...cur, effect: effectOn(cur.params, outcomes), outcomesBySource };
  }

  setMode(mode: CalibrationMode, actor: string): StoredCalibration {
    const next = { ...this.current(), mode };
    writeCalibration(this.o.db, next);
    appendFederationLog(this.o.db, this.o.clock.now(), 'calibration.mode', { mode, actor });
    return next;
  }

  /** Refits from local outcomes (starting from the current parameters as the prior). */
  fitLocal(actor: string, sources?: readonly OutcomeSource[]): StoredCalibration {
    const outcomes = this.outcomes(sources);
    const cur = this.current();
    const counts: Record<string, number> = { outcomes: outcomes.length };
    for (const o of outcomes) counts[o.source] = (counts[o.source] ?? 0) + 1;
    const next: StoredCalibration = { mode: cur.mode, params: fitCalibration(outcomes, { prior: defaultParams() }), source: 'local', fittedAt: this.o.clock.now(), counts };
    writeCalibration(this.o.db, next);
    appendFederationLog(this.o.db, this.o.clock.now(), 'calibration.fitted', { counts, actor });
    return next;
  }

  adopt(params: CalibrationParams, detail: Record<string, unknown>): void {
    const cur = this.current();
    writeCalibration(this.o.db, { ...cur, params, source: 'federation', fittedAt: this.o.clock.now(), counts: { ...cur.counts } });
    appendFederationLog(this.o.db, this.o.clock.now(), 'member.adopted', detail);
  }

  /** Keeps what the calibration said about a decision (suggest and apply modes), for the Governance page. */
  noted(taskId: string, subject: string, review: CalibratedReview): void {
    if (review.mode === 'off') return;
    appendFederationLog(this.o.db, this.o.clock.now(), `calibration.${review.mode}`, {
      taskId,
      subject,
      council: review.council,
      suggestion: review.suggestion?.decision ?? null,
      probabilityGood: review.suggestion?.probabilityGood ?? null,
      decision: review.decision,
      held: review.held ?? null,
    });
  }

  /** The council's decision seen through the calibration, inside the fixed rules. */
  review(input: { tier: RiskTier; votes: readonly VoteSignal[]; council: Decision; vetoed: boolean }): CalibratedReview {
    const cur = this.current();
    return reviewWithCalibration({ ...input, mode: cur.mode, params: cur.params });
  }
}
