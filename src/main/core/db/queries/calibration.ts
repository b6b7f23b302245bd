import { z } from 'zod';
import { CalibrationMode, CalibrationParams, CouncilOutcome, VoteSignal } from '../../../../shared/domain/calibration';
import type { Db } from '../open';
import { cachedStatement } from './statement-cache';

/** Council outcomes and the calibration fitted from them (see migration 0013). */

type OutcomeRow = {
  verdict_id: string;
  task_id: string;
  risk_tier: number;
  decision: string;
  votes_json: string;
  good: number;
  source: string;
  known_at: number;
};

export function upsertOutcome(db: Db, o: CouncilOutcome, now: number): void {
  cachedStatement(
    db,
    `INSERT INTO council_outcomes (verdict_id, task_id, risk_tier, decision, votes_json, good, source, known_at, recorded_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (verdict_id) DO UPDATE SET good = excluded.good, source = excluded.source, known_at = excluded.known_at, recorded_at = excluded.recorded_at`,
  ).run(o.verdictId, o.taskId, o.riskTier, o.decision, JSON.stringify(o.votes), o.good ? 1 : 0, o.source, o.knownAt, now);
}

export function listOutcomes(db: Db, sources?: readonly string[]): CouncilOutcome[] {
  const rows = cachedStatement(db, 'SELECT * FROM council_outcomes ORDER BY known_at, verdict_id').all() as OutcomeRow[];
  return rows
    .filter((r) => !sources || sources.includes(r.source))
    .map((r) =>
      CouncilOutcome.parse({
        verdictId: r.verdict_id,
        taskId: r.task_id,
        riskTier: r.risk_tier,
        decision: r.decision,
        votes: z.array(VoteSignal).parse(JSON.parse(r.votes_json)),
        good: r.good === 1,
        source: r.source,
        knownAt: r.known_at,
      }),
    );
}

export const CalibrationSource = z.enum(['default', 'local', 'federation']);
export type CalibrationSource = z.infer<typeof CalibrationSource>;

export type StoredCalibration = {
  mode: CalibrationMode;
  params: CalibrationParams;
  source: CalibrationSource;
  fittedAt: number;
  counts: Record<string, number>;
};

type StateRow = { mode: string; params_json: string; source: string; fitted_at: number; counts_json: string };

export function readCalibration(db: Db): StoredCalibration | undefined {
  const r = cachedStatement(db, 'SELECT * FROM calibration_state WHERE id = 1').get() as StateRow | undefined;
  if (!r) return undefined;
  return {
    mode: CalibrationMode.parse(r.mode),
    params: CalibrationParams.parse(JSON.parse(r.params_json)),
    source: CalibrationSource.parse(r.source),
    fittedAt: r.fitted_at,
    counts: z.record(z.string(), z.number()).parse(JSON.parse(r.counts_json)),
  };
}

export function writeCalibration(db: Db, s: StoredCalibration): void {
  cachedStatement(
    db,
    `INSERT INTO calibration_state (id, mode, params_json, source, fitted_at, counts_json) VALUES (1, ?, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET mode = excluded.mode, params_json = excluded.params_json, source = excluded.source,
       fitted_at = excluded.fitted_at, counts_json = excluded.counts_json`,
  ).run(s.mode, JSON.stringify(s.params), s.source, s.fittedAt, JSON.stringify(s.counts));
}
