import { z } from 'zod';
import { Task } from './task';

/**
 * A task as lists show it: everything but the working spec, plus where the list continues. Lists
 * answer from this projection so a page of tasks never carries (or re-checks) every spec's YAML.
 */
export const TaskSummary = Task.pick({
  id: true,
  description: true,
  repoPath: true,
  mode: true,
  riskTier: true,
  priority: true,
  maxIterations: true,
  state: true,
  progress: true,
  createdAt: true,
  updatedAt: true,
}).extend({
  /** Whether the task has a working spec yet (read it with getTask). */
  hasSpec: z.boolean(),
  /** Pass as `cursor` to list the tasks after this one (older, in list order). */
  cursor: z.string(),
});
export type TaskSummary = z.infer<typeof TaskSummary>;

/** A list position: the created-at time and id of the last task seen, as `<createdAt>.<id>`. */
export const TaskCursor = z
  .string()
  .regex(/^\d{1,16}\.tsk_[0-9a-z]{10,40}$/, 'must be the cursor of a listed task, like 1733300000000.tsk_…');

export function taskCursor(createdAt: number, id: string): string {
  return `${createdAt}.${id}`;
}

export function parseTaskCursor(cursor: string): { createdAt: number; id: string } {
  const dot = cursor.indexOf('.');
  return { createdAt: Number(cursor.slice(0, dot)), id: cursor.slice(dot + 1) };
}
