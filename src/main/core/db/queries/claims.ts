import type { Db } from '../open';

/** Queries of task_claims and task_criteria: a task's claim table and its criteria's standing. */

export type ClaimRow = {
  taskId: string;
  stage: 'execute' | 'review_plan' | 'review_change';
  round: number;
  author: string;
  kind: string;
  subject: string;
  text: string;
  status: 'verified' | 'refuted' | 'unverifiable';
  evidence: string;
  extractedBy: 'rules' | 'model';
  createdAt: number;
};
export type StoredClaim = ClaimRow & { id: number };

export type CriterionRow = {
  taskId: string;
  stage: 'execute' | 'review_change';
  round: number;
  criterionId: string;
  status: 'verified' | 'refuted' | 'pending' | 'unmet';
  decidedBy: 'test' | 'constitutional' | 'none';
  evidence: string;
  createdAt: number;
};

/** Inserts claims; returns their ids, in order. */
export function insertClaims(db: Db, rows: readonly ClaimRow[]): number[] {
  const insert = db.prepare(
    `INSERT INTO task_claims (task_id, stage, round, author, kind, subject, text, status, evidence, extracted_by, created_at)
     VALUES (@taskId, @stage, @round, @author, @kind, @subject, @text, @status, @evidence, @extractedBy, @createdAt)`,
  );
  return db.transaction(() => rows.map((r) => Number(insert.run(r).lastInsertRowid)))();
}

/** Replaces a stage's rows of one round (a retried step records its claims once). */
export function replaceClaims(db: Db, taskId: string, stage: ClaimRow['stage'], round: number, rows: readonly ClaimRow[]): number[] {
  return db.transaction(() => {
    db.prepare('DELETE FROM task_claims WHERE task_id = ? AND stage = ? AND round = ?').run(taskId, stage, round);
    return insertClaims(db, rows);
  })();
}

export function claimsForTask(db: Db, taskId: string): StoredClaim[] {
  return db
    .prepare(
      `SELECT id, task_id AS taskId, stage, round, author, kind, subject, text, status, evidence, extracted_by AS extractedBy, created_at AS createdAt
         FROM task_claims WHERE task_id = ? ORDER BY id`,
    )
    .all(taskId) as StoredClaim[];
}

export function replaceCriteria(db: Db, taskId: string, stage: CriterionRow['stage'], round: number, rows: readonly CriterionRow[]): void {
  const insert = db.prepare(
    `INSERT INTO task_criteria (task_id, stage, round, criterion_id, status, decided_by, evidence, created_at)
     VALUES (@taskId, @stage, @round, @criterionId, @status, @decidedBy, @evidence, @createdAt)`,
  );
  db.transaction(() => {
    db.prepare('DELETE FROM task_criteria WHERE task_id = ? AND stage = ? AND round = ?').run(taskId, stage, round);
    for (const r of rows) insert.run(r);
  })();
}

export function criteriaForTask(db: Db, taskId: string): CriterionRow[] {
  return db
    .prepare(
      `SELECT task_id AS taskId, stage, round, criterion_id AS criterionId, status, decided_by AS decidedBy, evidence, created_at AS createdAt
         FROM task_criteria WHERE task_id = ? ORDER BY id`,
    )
    .all(taskId) as CriterionRow[];
}

/** The criteria recorded by the latest execution round (what the change review starts from). */
export function latestExecutionCriteria(db: Db, taskId: string): CriterionRow[] {
  const last = db.prepare("SELECT MAX(round) AS r FROM task_criteria WHERE task_id = ? AND stage = 'execute'").get(taskId) as { r: number | null };
  if (last.r === null) return [];
  return criteriaForTask(db, taskId).filter((c) => c.stage === 'execute' && c.round === last.r);
}

/** The worker's claims of the latest execution round. */
export function latestWorkerClaims(db: Db, taskId: string): StoredClaim[] {
  const last = db.prepare("SELECT MAX(round) AS r FROM task_claims WHERE task_id = ? AND stage = 'execute'").get(taskId) as { r: number | null };
  if (last.r === null) return [];
  return claimsForTask(db, taskId).filter((c) => c.stage === 'execute' && c.round === last.r);
}
