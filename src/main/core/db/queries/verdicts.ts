import { z } from 'zod';
import {
  EvidenceItem,
  FinalVerdict,
  JudgeId,
  RuleViolation,
  VerdictValue,
  type JudgeVerdict,
  type ReviewSubjectKind,
} from '../../../../shared/domain/governance';
import type { Db } from '../open';

export type StoredVerdict = {
  id: string;
  taskId: string;
  subject: ReviewSubjectKind;
  createdAt: number;
  verdict: FinalVerdict;
  /** Every vote of every round, in order. */
  rounds: JudgeVerdict[];
};

type VerdictRow = {
  id: string;
  task_id: string;
  subject: ReviewSubjectKind;
  decision: string;
  score: number;
  threshold: number;
  risk_tier: number;
  debate_rounds: number;
  vetoed: number;
  escalated: number;
  dissent: string;
  remediation: string;
  constitutional_refs: string;
  created_at: number;
};

type VoteRow = {
  judge_id: string;
  round: number;
  weight: number;
  verdict: string;
  confidence: number;
  version: string;
  reasons: string;
  evidence: string;
  score: number | null;
  violations: string;
  conditions: string;
  questions: string;
  model: string | null;
  error: string | null;
  duration_ms: number | null;
};

export function insertVerdict(
  db: Db,
  row: { id: string; taskId: string; subject: ReviewSubjectKind; createdAt: number; verdict: FinalVerdict; rounds: readonly JudgeVerdict[]; weights: Readonly<Record<string, number>> },
): void {
  const v = row.verdict;
  db.transaction(() => {
    db.prepare(
      `INSERT INTO verdicts (id, task_id, subject, decision, score, threshold, risk_tier, debate_rounds, vetoed, escalated,
         dissent, remediation, constitutional_refs, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      row.id,
      row.taskId,
      row.subject,
      v.decision,
      v.score,
      v.threshold,
      v.riskTier,
      v.debateRounds,
      v.vetoed ? 1 : 0,
      v.escalated ? 1 : 0,
      JSON.stringify(v.dissent),
      JSON.stringify(v.remediation),
      JSON.stringify(v.constitutional_refs),
      row.createdAt,
    );
    const vote = db.prepare(
      `INSERT INTO votes (verdict_id, judge_id, round, weight, verdict, confidence, score, version, reasons, evidence, violations, conditions, questions, model, error, duration_ms)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    for (const j of row.rounds) {
      vote.run(
        row.id,
        j.judge_id,
        j.round ?? 1,
        row.weights[j.judge_id] ?? 0,
        j.verdict,
        j.confidence,
        j.score ?? null,
        j.version,
        JSON.stringify(j.reasons),
        JSON.stringify(j.evidence),
        JSON.stringify(j.violations ?? []),
        JSON.stringify(j.conditions ?? []),
        JSON.stringify(j.questions ?? []),
        j.model ?? null,
        j.error ?? null,
        j.durationMs ?? null,
      );
    }
  })();
}

const Strings = z.array(z.string());
const Dissent = FinalVerdict.shape.dissent;

export function verdictsForTask(db: Db, taskId: string): StoredVerdict[] {
  const rows = db.prepare('SELECT * FROM verdicts WHERE task_id = ? ORDER BY created_at, rowid').all(taskId) as VerdictRow[];
  return rows.map((r) => {
    const votes = db.prepare('SELECT * FROM votes WHERE verdict_id = ? ORDER BY round, seq').all(r.id) as VoteRow[];
    const rounds: JudgeVerdict[] = votes.map((v) => ({
      judge_id: JudgeId.parse(v.judge_id),
      version: v.version,
      verdict: VerdictValue.parse(v.verdict),
      confidence: v.confidence,
      reasons: Strings.parse(JSON.parse(v.reasons)),
      evidence: z.array(EvidenceItem).parse(JSON.parse(v.evidence)),
      ...(v.score !== null ? { score: v.score } : {}),
      violations: z.array(RuleViolation).parse(JSON.parse(v.violations)),
      ...(v.verdict === 'conditional' ? { conditions: Strings.parse(JSON.parse(v.conditions)) } : {}),
      ...(v.verdict === 'needs-info' ? { questions: Strings.parse(JSON.parse(v.questions)) } : {}),
      round: v.round,
      ...(v.model ? { model: v.model } : {}),
      ...(v.error ? { error: v.error } : {}),
      ...(v.duration_ms !== null ? { durationMs: v.duration_ms } : {}),
    }));
    const lastRound = Math.max(1, ...rounds.map((j) => j.round ?? 1));
    const finalJudges = rounds.filter((j) => (j.round ?? 1) === lastRound);
    const weights = new Map(votes.map((v) => [v.judge_id, v.weight]));
    const verdict = FinalVerdict.parse({
      decision: r.decision,
      votes: finalJudges.map((j) => ({ judge_id: j.judge_id, weight: weights.get(j.judge_id) ?? 0, verdict: j.verdict })),
      dissent: Dissent.parse(JSON.parse(r.dissent)),
      remediation: Strings.parse(JSON.parse(r.remediation)),
      constitutional_refs: Strings.parse(JSON.parse(r.constitutional_refs)),
      score: r.score,
      threshold: r.threshold,
      riskTier: r.risk_tier,
      debateRounds: r.debate_rounds,
      vetoed: r.vetoed === 1,
      escalated: r.escalated === 1,
      judges: finalJudges,
    });
    return { id: r.id, taskId: r.task_id, subject: r.subject, createdAt: r.created_at, verdict, rounds };
  });
}

/** Stored verdicts since `from`, counted by decision (verdicts stored without a journaled event still count). */
export function verdictCountsSince(db: Db, from: number): { decision: unknown; n: number }[] {
  return db.prepare('SELECT decision, count(*) AS n FROM verdicts WHERE created_at >= ? GROUP BY 1').all(from) as { decision: unknown; n: number }[];
}

/** The newest stored verdict's rowid (0 when none): what a cached verdict count was computed up to. */
export function lastVerdictRowid(db: Db): number {
  return (db.prepare('SELECT COALESCE(MAX(rowid), 0) AS n FROM verdicts').get() as { n: number }).n;
}
