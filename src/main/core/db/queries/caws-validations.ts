import { z } from 'zod';
import { CawsViolation } from '../../../../shared/domain/governance';
import type { Db } from '../open';

export type CawsValidationRecord = {
  taskId: string | null;
  specId: string | null;
  /** What was validated: `plan`, `change`, `user-edit`, `repository`. */
  subject: string;
  compliance: number;
  violations: CawsViolation[];
  suggestions: string[];
  createdAt: number;
};

type Row = { task_id: string | null; spec_id: string | null; subject: string; compliance: number; violations: string; suggestions: string; created_at: number };

export function insertCawsValidation(db: Db, record: CawsValidationRecord): void {
  db.prepare(
    `INSERT INTO caws_validations (task_id, spec_id, subject, compliance, violations, suggestions, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
  ).run(record.taskId, record.specId, record.subject, record.compliance, JSON.stringify(record.violations), JSON.stringify(record.suggestions), record.createdAt);
}

export function cawsValidationsForTask(db: Db, taskId: string): CawsValidationRecord[] {
  const rows = db.prepare('SELECT * FROM caws_validations WHERE task_id = ? ORDER BY seq').all(taskId) as Row[];
  return rows.map((r) => ({
    taskId: r.task_id,
    specId: r.spec_id,
    subject: r.subject,
    compliance: r.compliance,
    violations: z.array(CawsViolation).parse(JSON.parse(r.violations)),
    suggestions: z.array(z.string()).parse(JSON.parse(r.suggestions)),
    createdAt: r.created_at,
  }));
}
