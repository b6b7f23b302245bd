import type { TierBudget } from '../../../shared/domain/governance';
import type { WorkingSpec } from '../../../shared/domain/working-spec';
import { checkBudget, describeBudget, measureChange, type BudgetCheck, type ChangedFile } from '../caws/budget';
import { checkCompliance } from '../caws/compliance';
import { classifyPath } from '../caws/scope';

/** What a gate found before its mode and any waiver are applied. */
export type RawOutcome = { outcome: 'pass' | 'fail' | 'skip'; score: number; details: string };

export function budgetOutcome(changedFiles: readonly ChangedFile[], budget: TierBudget): RawOutcome & { check: BudgetCheck } {
  const check = checkBudget(measureChange(changedFiles), budget);
  const used = Math.max(check.size.files / budget.maxFiles, check.size.lines / budget.maxLines);
  return {
    check,
    outcome: check.within ? 'pass' : 'fail',
    // Within budget scores 1; over it, the score falls with how far over the change is.
    score: check.within ? 1 : Math.max(0, Math.min(1, 1 / used)),
    details: check.within ? `within budget: ${describeBudget(check)}` : `over budget: ${describeBudget(check)}`,
  };
}

export function scopeOutcome(changedFiles: readonly ChangedFile[], spec: WorkingSpec): RawOutcome {
  if (changedFiles.length === 0) return { outcome: 'pass', score: 1, details: 'no files changed' };
  const problems: string[] = [];
  for (const f of changedFiles) {
    const v = classifyPath(spec.scope, f.path);
    if (v.inScope) continue;
    problems.push(v.reason === 'excluded' ? `${f.path} (excluded by scope.out ${v.entry})` : `${f.path} (outside scope.in and scope.support)`);
  }
  const inside = changedFiles.length - problems.length;
  return problems.length === 0
    ? { outcome: 'pass', score: 1, details: `all ${changedFiles.length} changed files are in scope` }
    : { outcome: 'fail', score: inside / changedFiles.length, details: `${problems.length} changed file(s) out of scope: ${problems.join('; ')}` };
}

export function specCompletenessOutcome(spec: WorkingSpec): RawOutcome {
  const report = checkCompliance({ spec });
  if (report.violations.length === 0) {
    const hint = report.suggestions.length ? ` Suggestions: ${report.suggestions.join(' ')}` : '';
    return { outcome: 'pass', score: report.compliance, details: `spec ${spec.id} is complete for tier ${spec.risk_tier}.${hint}` };
  }
  return {
    outcome: 'fail',
    score: report.compliance,
    details: `spec ${spec.id}: ${report.violations.map((v) => `${v.path}: ${v.message} [${v.rule}]`).join('; ')}`,
  };
}
