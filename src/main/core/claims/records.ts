import type { ClaimView, CriterionView } from '../../../shared/domain/claims';
import type { Db } from '../db/open';
import { claimsForTask, criteriaForTask, latestExecutionCriteria, latestWorkerClaims, replaceClaims, replaceCriteria, type ClaimRow } from '../db/queries/claims';
import type { Clock } from '../journal/journal';
import type { Standing } from './ledger';
import type { VerifiedClaim } from './types';

/** A task's claim table and criterion standing, as stored (the task page, the council and the audit bundle read them). */
export class ClaimRecords {
  constructor(private readonly o: { db: Db; clock: Clock }) {}

  /** The worker's final account of an execution round and where each criterion stands after it. */
  recordExecution(taskId: string, round: number, claims: readonly VerifiedClaim[], standing: readonly Standing[]): void {
    const now = this.o.clock.now();
    this.o.db.transaction(() => {
      replaceClaims(this.o.db, taskId, 'execute', round, claims.map((c) => row(taskId, 'execute', round, 'worker', c, now)));
      replaceCriteria(this.o.db, taskId, 'execute', round, standing.map((s) => ({ ...s, taskId, stage: 'execute', round, createdAt: now })));
    })();
  }

  /** The judges' claims of a review (final round of each judge) and, for a change review, the criteria's standing after it. */
  recordReview(taskId: string, stage: 'review_plan' | 'review_change', round: number, claims: ReadonlyMap<string, readonly VerifiedClaim[]>, standing?: readonly Standing[]): void {
    const now = this.o.clock.now();
    this.o.db.transaction(() => {
      replaceClaims(this.o.db, taskId, stage, round, [...claims].flatMap(([judge, cs]) => cs.map((c) => row(taskId, stage, round, `judge:${judge}`, c, now))));
      if (standing && stage === 'review_change') replaceCriteria(this.o.db, taskId, 'review_change', round, standing.map((s) => ({ ...s, taskId, stage: 'review_change', round, createdAt: now })));
    })();
  }

  /** What the change review starts from: the latest execution round's criteria and worker claims. */
  latestExecution(taskId: string): { standing: Standing[]; claims: ClaimView[] } {
    return { standing: latestExecutionCriteria(this.o.db, taskId), claims: latestWorkerClaims(this.o.db, taskId).map(view) };
  }

  view(taskId: string): { claims: ClaimView[]; criteria: CriterionView[] } {
    return {
      claims: claimsForTask(this.o.db, taskId).map(view),
      criteria: criteriaForTask(this.o.db, taskId).map((c) => ({ stage: c.stage, round: c.round, criterionId: c.criterionId, status: c.status, decidedBy: c.decidedBy, evidence: c.evidence, createdAt: c.createdAt })),
    };
  }
}

function row(taskId: string, stage: ClaimRow['stage'], round: number, author: string, c: VerifiedClaim, now: number): ClaimRow {
  return { taskId, stage, round, author, kind: c.kind, subject: c.subject, text: c.text.slice(0, 1000), status: c.status, evidence: c.evidence.slice(0, 2000), extractedBy: c.extractedBy, createdAt: now };
}

function view(c: ClaimRow & { id: number }): ClaimView {
  return { id: c.id, stage: c.stage, round: c.round, author: c.author, kind: c.kind, subject: c.subject, text: c.text, status: c.status, evidence: c.evidence, extractedBy: c.extractedBy, createdAt: c.createdAt };
}
