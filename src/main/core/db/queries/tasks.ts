import { TaskState, type Task, type TaskStateKind } from '../../../../shared/domain/task';
import { Task as TaskSchema } from '../../../../shared/domain/task';
import type { Db } from '../open';
import { cachedStatement } from './statement-cache';

type TaskRow = {
  id: string;
  description: string;
  repo_path: string;
  mode: string;
  risk_tier: number;
  priority: string;
  max_iterations: number;
  state_kind: string;
  state_json: string;
  progress: number;
  spec: string | null;
  created_at: number;
  updated_at: number;
  retry_of: string | null;
  spec_id?: string | null;
  allow_network?: number | null;
};

/** Rows are parsed on the way out: a JSON column is untrusted like any other input. */
function fromRow(row: TaskRow): Task {
  return TaskSchema.parse({
    id: row.id,
    description: row.description,
    repoPath: row.repo_path,
    mode: row.mode,
    riskTier: row.risk_tier,
    priority: row.priority,
    maxIterations: row.max_iterations,
    state: TaskState.parse(JSON.parse(row.state_json)),
    progress: row.progress,
    spec: row.spec,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    ...(row.retry_of ? { retryOf: row.retry_of } : {}),
    ...(row.spec_id ? { specId: row.spec_id } : {}),
    ...(row.allow_network === 1 ? { allowNetwork: true } : {}),
  });
}

export function insertTask(db: Db, task: Task): void {
  cachedStatement(db, 
    `INSERT INTO tasks (id, description, repo_path, mode, risk_tier, priority, max_iterations,
       state_kind, state_json, progress, spec, created_at, updated_at, retry_of, spec_id, allow_network)
     VALUES (@id, @description, @repoPath, @mode, @riskTier, @priority, @maxIterations,
       @stateKind, @stateJson, @progress, @spec, @createdAt, @updatedAt, @retryOf, @specId, @allowNetwork)`,
  ).run({
    ...task,
    retryOf: task.retryOf ?? null,
    specId: task.specId ?? null,
    allowNetwork: task.allowNetwork ? 1 : null,
    stateKind: task.state.kind,
    stateJson: JSON.stringify(task.state),
  });
}

export function getTask(db: Db, id: string): Task | undefined {
  const row = cachedStatement(db, 'SELECT * FROM tasks WHERE id = ?').get(id) as TaskRow | undefined;
  return row ? fromRow(row) : undefined;
}

/** Whether the task was granted network for the commands it causes (one primary-key read). */
export function taskNetworkGranted(db: Db, id: string): boolean {
  const row = cachedStatement(db, 'SELECT allow_network FROM tasks WHERE id = ?').get(id) as { allow_network: number | null } | undefined;
  return row?.allow_network === 1;
}

/**
 * cancellationJournaled as an SQL expression of the parameter @task, for reads that ask it along with
 * something else. The CASE keeps SQLite from turning the EXISTS into a scan of every task.cancelled
 * event (it did, making each journal append cost O(cancelled tasks)): the task's row is looked up
 * by primary key first, and its events only when it says cancelled.
 */
export const CANCELLATION_JOURNALED = `CASE WHEN (SELECT state_kind FROM tasks WHERE id = @task) = 'cancelled'
    THEN EXISTS (SELECT 1 FROM events WHERE task_id = @task AND type = 'task.cancelled') ELSE 0 END`;

/**
 * Whether the task is cancelled and its `task.cancelled` event is written: one primary-key read for
 * a task that is not cancelled; the task's own events are looked at only when it is.
 */
export function cancellationJournaled(db: Db, id: string): boolean {
  return (cachedStatement(db, `SELECT ${CANCELLATION_JOURNALED} AS yes`).get({ task: id }) as { yes: 0 | 1 }).yes === 1;
}

export type TaskFilter = { states?: readonly TaskStateKind[] | undefined; search?: string | undefined; limit: number };

export function listTasks(db: Db, filter: TaskFilter): Task[] {
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
  const sql = `SELECT * FROM tasks ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
    ORDER BY created_at DESC, id DESC LIMIT @limit`;
  return (cachedStatement(db, sql).all(params) as TaskRow[]).map(fromRow);
}

export function updateTaskState(db: Db, id: string, state: TaskState, progress: number, at: number): void {
  cachedStatement(db, 
    'UPDATE tasks SET state_kind = ?, state_json = ?, progress = ?, updated_at = ? WHERE id = ?',
  ).run(state.kind, JSON.stringify(state), progress, at, id);
}

/** How many tasks are in each state (states with none are absent), for metrics and status. */
export function countTasksByState(db: Db): Partial<Record<TaskStateKind, number>> {
  const rows = cachedStatement(db, 'SELECT state_kind AS kind, COUNT(*) AS n FROM tasks GROUP BY state_kind').all() as {
    kind: TaskStateKind;
    n: number;
  }[];
  return Object.fromEntries(rows.map((r) => [r.kind, r.n]));
}

/** Tasks that retry `id`, newest first. */
export function retriesOf(db: Db, id: string): Task[] {
  return (cachedStatement(db, 'SELECT * FROM tasks WHERE retry_of = ? ORDER BY created_at DESC, id DESC LIMIT 50').all(id) as TaskRow[]).map(fromRow);
}

/** Task counts by the raw state kind column (unparsed: the caller checks each kind). */
export function taskCountsByStateColumn(db: Db): { kind: string; n: number }[] {
  return db.prepare('SELECT state_kind AS kind, count(*) AS n FROM tasks GROUP BY state_kind').all() as { kind: string; n: number }[];
}
