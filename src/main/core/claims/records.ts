import { createHash } from 'node:crypto';
import type { ClaimSourceView, ClaimView, CriterionView } from '../../../shared/domain/claims';
import type { Db } from '../db/open';
import { claimsForTask, criteriaForTask, latestExecutionCriteria, latestWorkerClaims, replaceClaims, replaceCriteria, type ClaimRow } from '../db/queries/claims';
import { ABSENT_SHA256, claimSourcesForTask, latestSourceRecord, linkClaimSource, recordSourceVersion, type ClaimSourceRow } from '../db/queries/source-integrity-records';
import type { Clock } from '../journal/journal';
import { currentHash } from './current-sources';
import type { Standing } from './ledger';
import type { ClaimSource, VerifiedClaim } from './types';

/**
 * A task's claim table and criterion standing, as stored (the task page, the council and the audit
 * bundle read them), with the sources each claim was checked against: each version is a hashed
 * source-integrity record, and a claim whose source was later recorded with another hash is stale.
 */
export class ClaimRecords {
  constructor(private readonly o: { db: Db; clock: Clock }) {}

  /** The worker's final account of an execution round and where each criterion stands after it. */
  recordExecution(taskId: string, round: number, claims: readonly VerifiedClaim[], standing: readonly Standing[]): void {
    const now = this.o.clock.now();
    this.o.db.transaction(() => {
      const ids = replaceClaims(this.o.db, taskId, 'execute', round, claims.map((c) => row(taskId, 'execute', round, 'worker', c, now)));
      this.link(taskId, ids, claims, now);
      replaceCriteria(this.o.db, taskId, 'execute', round, standing.map((s) => ({ ...s, taskId, stage: 'execute', round, createdAt: now })));
    })();
  }

  /** The judges' claims of a review (final round of each judge) and, for a change review, the criteria's standing after it. */
  recordReview(taskId: string, stage: 'review_plan' | 'review_change', round: number, claims: ReadonlyMap<string, readonly VerifiedClaim[]>, standing?: readonly Standing[]): void {
    const now = this.o.clock.now();
    const all = [...claims].flatMap(([judge, cs]) => cs.map((c) => ({ judge, c })));
    this.o.db.transaction(() => {
      const ids = replaceClaims(this.o.db, taskId, stage, round, all.map(({ judge, c }) => row(taskId, stage, round, `judge:${judge}`, c, now)));
      this.link(taskId, ids, all.map((a) => a.c), now);
      if (standing && stage === 'review_change') replaceCriteria(this.o.db, taskId, 'review_change', round, standing.map((s) => ({ ...s, taskId, stage: 'review_change', round, createdAt: now })));
    })();
  }

  /**
   * Sources the agent read for a decision outside any claim (the planner's attachments and knowledge
   * chunks): each version recorded once, a changed one as a new record. Returns the record ids.
   */
  recordReads(taskId: string, sources: readonly ClaimSource[]): number[] {
    const now = this.o.clock.now();
    return this.o.db.transaction(() => sources.map((s) => this.record(taskId, s, now)))();
  }

  /**
   * Hashes the sources the task's claims were checked against as they are now and records each that
   * changed: the claims checked against the earlier version become stale. Workspace files through
   * `read` (a file's bytes, null when it is gone); repository docs inside `repoDir`; attachments,
   * knowledge chunks and documents as `currentHash` finds them. Returns the changed sources (a
   * workspace file by its path, any other as `source:path` with `#location` for a chunk).
   */
  async refresh(taskId: string, read: (path: string) => Promise<Buffer | null>, more: { repoDir?: string } = {}): Promise<string[]> {
    const seen = new Map<string, Pick<ClaimSource, 'source' | 'path' | 'location'>>();
    for (const s of claimSourcesForTask(this.o.db, taskId)) seen.set(`${s.source}\u0000${s.path}\u0000${s.location ?? ''}`, { source: s.source, path: s.path, ...(s.location ? { location: s.location } : {}) });
    const now: ClaimSource[] = [];
    for (const s of seen.values()) {
      let sha256: string | undefined;
      if (s.source === 'workspace') {
        const bytes = await read(s.path);
        sha256 = bytes === null ? ABSENT_SHA256 : createHash('sha256').update(bytes).digest('hex');
      } else sha256 = await currentHash(this.o.db, taskId, s, more.repoDir);
      if (sha256 !== undefined) now.push({ ...s, sha256 });
    }
    const changed = now.filter((s) => latestSourceRecord(this.o.db, taskId, s.source, s.path, s.location ?? null)?.sha256 !== s.sha256);
    this.recordReads(taskId, changed);
    return changed.map((s) => (s.source === 'workspace' ? s.path : `${s.source}:${s.path}${s.location ? `#${s.location}` : ''}`));
  }

  /** What the change review starts from: the latest execution round's criteria and worker claims (with staleness). */
  latestExecution(taskId: string): { standing: Standing[]; claims: ClaimView[] } {
    const sources = this.sourcesByClaim(taskId);
    return { standing: latestExecutionCriteria(this.o.db, taskId), claims: latestWorkerClaims(this.o.db, taskId).map((c) => view(c, sources.get(c.id))) };
  }

  view(taskId: string): { claims: ClaimView[]; criteria: CriterionView[] } {
    const sources = this.sourcesByClaim(taskId);
    return {
      claims: claimsForTask(this.o.db, taskId).map((c) => view(c, sources.get(c.id))),
      criteria: criteriaForTask(this.o.db, taskId).map((c) => ({ stage: c.stage, round: c.round, criterionId: c.criterionId, status: c.status, decidedBy: c.decidedBy, evidence: c.evidence, createdAt: c.createdAt })),
    };
  }

  private sourcesByClaim(taskId: string): Map<number, ClaimSourceRow[]> {
    const out = new Map<number, ClaimSourceRow[]>();
    for (const s of claimSourcesForTask(this.o.db, taskId)) out.set(s.claimId, [...(out.get(s.claimId) ?? []), s]);
    return out;
  }

  /** Links each claim to the records of the sources it was checked against (in the caller's transaction). */
  private link(taskId: string, ids: readonly number[], claims: readonly VerifiedClaim[], now: number): void {
    claims.forEach((c, i) => {
      for (const s of c.sources ?? []) linkClaimSource(this.o.db, ids[i]!, this.record(taskId, s, now));
    });
  }

  private record(taskId: string, s: ClaimSource, now: number): number {
    return recordSourceVersion(this.o.db, taskId, s, now);
  }
}

function row(taskId: string, stage: ClaimRow['stage'], round: number, author: string, c: VerifiedClaim, now: number): ClaimRow {
  return { taskId, stage, round, author, kind: c.kind, subject: c.subject, text: c.text.slice(0, 1000), status: c.status, evidence: c.evidence.slice(0, 2000), extractedBy: c.extractedBy, createdAt: now };
}

function view(c: ClaimRow & { id: number }, sources: readonly ClaimSourceRow[] = []): ClaimView {
  const listed: ClaimSourceView[] = sources.map((s) => ({ source: s.source, path: s.path, location: s.location, sha256: s.sha256, stale: s.stale }));
  return {
    id: c.id, stage: c.stage, round: c.round, author: c.author, kind: c.kind, subject: c.subject, text: c.text, status: c.status, evidence: c.evidence, extractedBy: c.extractedBy, createdAt: c.createdAt,
    sources: listed,
    stale: listed.some((s) => s.stale),
  };
}
