import { z } from 'zod';
import { AgentEvent } from '../domain/events';
import { SubmitTaskInput, Task, TaskId, TaskStateKind } from '../domain/task';
import { TaskCursor, TaskSummary } from '../domain/task-summary';

export const ListTasksInput = z.strictObject({
  states: z.array(TaskStateKind).max(20).optional(),
  search: z.string().max(200).optional(),
  limit: z.number().int().min(1).max(500).default(100),
  /** Continue after this task: the `cursor` of the last task of the previous page. */
  cursor: TaskCursor.optional(),
});

export const GetTaskInput = z.strictObject({ id: TaskId });

export const TaskWithEvents = z.object({ task: Task, events: z.array(AgentEvent) });

export const SubscribeInput = z.strictObject({
  /** Only this task's events; all tasks when absent. */
  taskId: TaskId.optional(),
  /** Resume after this global sequence number (after a transport drop). */
  afterSeq: z.number().int().min(0).optional(),
});

/** What a subscriber reads first; events with `seq > lastSeq` follow live. */
export const Snapshot = z.object({
  tasks: z.array(Task),
  /** Events after `afterSeq` when one was given (bounded), else empty. */
  missed: z.array(AgentEvent),
  lastSeq: z.number().int().min(0),
});

/** Submitting, reading and following tasks. */
export const taskChannels = {
  submitTask: { input: SubmitTaskInput, output: Task },
  listTasks: { input: ListTasksInput, output: z.array(TaskSummary) },
  getTask: { input: GetTaskInput, output: TaskWithEvents },
  subscribe: { input: SubscribeInput, output: Snapshot },
  unsubscribe: { input: z.strictObject({}), output: z.object({}) },
} as const;
