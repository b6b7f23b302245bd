import type { Task } from '../../../../shared/domain/task';

/** An edited resubmission the task form picks up: the original's inputs and its id. */
export type Draft = Pick<Task, 'description' | 'repoPath' | 'mode' | 'riskTier' | 'priority' | 'maxIterations' | 'allowNetwork'> & { retryOf: string };

const KEY = 'agent-agency.draft';
const listeners = new Set<() => void>();

/** Hands a task's inputs to the form on the Tasks page (kept for this tab only). */
export function startEditedRetry(task: Task): void {
  const draft: Draft = { description: task.description, repoPath: task.repoPath, mode: task.mode, riskTier: task.riskTier, priority: task.priority, maxIterations: task.maxIterations, retryOf: task.id, ...(task.allowNetwork ? { allowNetwork: true as const } : {}) };
  sessionStorage.setItem(KEY, JSON.stringify(draft));
  for (const l of listeners) l();
  location.hash = '#/tasks';
}

/** The waiting draft, removed as it is read. */
export function takeDraft(): Draft | null {
  const raw = sessionStorage.getItem(KEY);
  if (!raw) return null;
  sessionStorage.removeItem(KEY);
  try {
    return JSON.parse(raw) as Draft;
  } catch {
    return null;
  }
}

export function onDraft(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
