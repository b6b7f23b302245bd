import type { Db } from '../open';
import { cachedStatement } from './statement-cache';

export type StepEffect = {
  taskId: string;
  key: string;
  phase: string;
  kind: string;
  status: 'intent' | 'applied';
  resultJson: string | null;
};

type Row = { task_id: string; key: string; phase: string; kind: string; status: string; result_json: string | null };

export function getStepEffect(db: Db, taskId: string, key: string): StepEffect | undefined {
  const row = cachedStatement(db, 'SELECT * FROM step_effects WHERE task_id = ? AND key = ?').get(taskId, key) as Row | undefined;
  if (!row) return undefined;
  return {
    taskId: row.task_id,
    key: row.key,
    phase: row.phase,
    kind: row.kind,
    status: row.status === 'applied' ? 'applied' : 'intent',
    resultJson: row.result_json,
  };
}

export function insertStepEffectIntent(
  db: Db,
  effect: { taskId: string; key: string; phase: string; kind: string; intentSeq: number },
): void {
  cachedStatement(
    db,
    `INSERT INTO step_effects (task_id, key, phase, kind, status, intent_seq) VALUES (?, ?, ?, ?, 'intent', ?)`,
  ).run(effect.taskId, effect.key, effect.phase, effect.kind, effect.intentSeq);
}

export function markStepEffectApplied(db: Db, taskId: string, key: string, resultJson: string | null, appliedSeq: number): void {
  cachedStatement(db, "UPDATE step_effects SET status = 'applied', result_json = ?, applied_seq = ? WHERE task_id = ? AND key = ?").run(
    resultJson,
    appliedSeq,
    taskId,
    key,
  );
}
