import type { TierBudget } from '../../../shared/domain/governance';

export type ChangedFile = { path: string; linesAdded: number; linesRemoved: number };

export type ChangeSize = { files: number; lines: number };

/** Files touched and lines added + removed; a path listed twice counts once. */
export function measureChange(changedFiles: readonly ChangedFile[]): ChangeSize {
  const paths = new Set<string>();
  let lines = 0;
  for (const f of changedFiles) {
    paths.add(f.path);
    lines += Math.max(0, f.linesAdded) + Math.max(0, f.linesRemoved);
  }
  return { files: paths.size, lines };
}

export type BudgetCheck = { within: boolean; size: ChangeSize; budget: TierBudget; overFiles: number; overLines: number };

export function checkBudget(size: ChangeSize, budget: TierBudget): BudgetCheck {
  const overFiles = Math.max(0, size.files - budget.maxFiles);
  const overLines = Math.max(0, size.lines - budget.maxLines);
  return { within: overFiles === 0 && overLines === 0, size, budget, overFiles, overLines };
}

export function widen(budget: TierBudget, delta: { files: number; lines: number }): TierBudget {
  return { maxFiles: budget.maxFiles + delta.files, maxLines: budget.maxLines + delta.lines };
}

export function describeBudget(check: BudgetCheck): string {
  const { size, budget } = check;
  return `${size.files}/${budget.maxFiles} files, ${size.lines}/${budget.maxLines} lines`;
}
