import type { TaskState, TaskStateKind } from '../../../../shared/domain/task';
import { parseTaskCursor, taskCursor, type TaskSummary } from '../../../../shared/domain/task-summary';
import type { Db } from '../open';
import { cachedStatement } from './statement-cache';

type SummaryRow = {
  id: string;
  description: string;
  repo_path: string;
  mode: TaskSummary['mode'];
  risk_tier: TaskSummary['riskTier'];
  priority: TaskSummary['priority'];
  max_iterations: number;
  state_json: string;
  progress: number;
  has_spec: number;
  created_at: number;
  updated_at: number;
};

export type TaskSummaryFilter = {
  states?: readonly TaskStateKind[] | undefined;
  search?: string | undefined;
  /** Continue after this task (see TaskCursor). */
  cursor?: string | undefined;
  limit: number;
};

/**
 * Newest first, from the summary columns only (the spec's YAML is never read). The rows were
 * checked by the Task schema when they were written through insertTask/updateTaskState, and this
 * process is their only writer, so the hot path maps them without re-validating each one.
 */
export function listTaskSummaries(db: Db, filter: TaskSummaryFilter): TaskSummary[] {
  const where: string[] = [];
  const params: Record<string, unknown> = { limit: filter.limit };
  if (filter.states && filter.states.length > 0) {
    where.push(`state_kind IN (${filter.states.map((_, i) => `@s${i}`).join(', ')})`);
    filter.states.forEach((s, i) => (params[`s${i}`] = s));
  }
  if (filter.search && filter.search.trim()) {
    where.push(`(description LIKE @search ESCAPE '\\' OR repo_path LIKE @search ESCAPE '\\' OR id = @exact)`);
    params['search'] = `%${filter.search.trim().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    params['exact'] = filter.search.trim();
  }
  if (filter.cursor) {
    const at = parseTaskCursor(filter.cursor);
    // Row-value comparison keeps the (created_at, id) order stable across pages with equal times.
    where.push('(created_at, id) < (@cursorAt, @cursorId)');
    params['cursorAt'] = at.createdAt;
    params['cursorId'] = at.id;
  }
  const sql = `SELECT id, description, repo_path, mode, risk_tier, priority, max_iterations, state_json, progress,
      spec IS NOT NULL AS has_spec, created_at, updated_at
    FROM tasks ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
    ORDER BY created_at DESC, id DESC LIMIT @limit`;
  return (cachedStatement(db, sql).all(params) as SummaryRow[]).map(fromRow);
}

function fromRow(row: SummaryRow): TaskSummary {
  return {
    id: row.id,
    description: row.description,
    repoPath: row.repo_path,
    mode: row.mode,
    riskTier: row.risk_tier,
    priority: row.priority,
    maxIterations: row.max_iterations,
    state: JSON.parse(row.state_json) as TaskState,
    progress: row.progress,
    hasSpec: row.has_spec === 1,
    cursor: taskCursor(row.created_at, row.id),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
