import type { z } from 'zod';
import type { SpecValidationView, TaskSpecView } from '../../../shared/channels/governance';
import { AppFailure } from '../../../shared/errors';
import { checkCompliance } from '../caws/compliance';
import { parseSpecYaml } from '../caws/yaml';
import type { Db } from '../db/open';
import { getTask } from '../db/queries/tasks';
import type { GovernanceRecords } from './records';

/** Validates CAWS YAML as the spec editor and the CLI see it: issues by field, then compliance. */
export function validateSpecText(yaml: string): z.output<typeof SpecValidationView> {
  const parsed = parseSpecYaml(yaml);
  if (!parsed.ok) return { valid: false, spec: null, issues: parsed.issues, compliance: null };
  const report = checkCompliance({ spec: parsed.spec });
  return { valid: true, spec: parsed.spec, issues: [], compliance: { compliance: report.compliance, violations: report.violations, suggestions: report.suggestions } };
}

export function taskSpecView(records: GovernanceRecords, taskId: string): z.output<typeof TaskSpecView> {
  const current = records.currentSpec(taskId);
  return {
    yaml: current?.yaml ?? null,
    spec: current?.spec ?? null,
    version: current?.version ?? null,
    versions: records.specVersions(taskId).map((v) => ({ version: v.version, specId: v.specId, source: v.source, author: v.author, createdAt: v.createdAt })),
  };
}

/**
 * A human's edit of a task's plan. Allowed only while the plan waits for approval (strict mode),
 * so what the council reviewed and what a human then approved are both on record as versions.
 */
export function editTaskSpec(db: Db, records: GovernanceRecords, taskId: string, yaml: string, actor: string): z.output<typeof TaskSpecView> {
  const task = getTask(db, taskId);
  if (!task) throw new AppFailure('not_found', `no task with id ${taskId}`);
  if (task.state.kind !== 'awaiting_approval' || task.state.waitingFor !== 'plan') {
    throw new AppFailure('conflict', `the spec can be edited only while the plan waits for approval; task ${taskId} is ${task.state.kind}`);
  }
  const parsed = parseSpecYaml(yaml);
  if (!parsed.ok) {
    throw new AppFailure('invalid_input', parsed.issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; '), parsed.issues);
  }
  if (parsed.spec.risk_tier !== task.riskTier) {
    const message = `must stay ${task.riskTier}, the task's risk tier`;
    throw new AppFailure('invalid_input', `risk_tier: ${message}`, [{ path: 'risk_tier', message }]);
  }
  records.saveSpec(taskId, parsed.spec, 'user', actor);
  records.recordValidation(taskId, 'user-edit', { spec: parsed.spec });
  return taskSpecView(records, taskId);
}
