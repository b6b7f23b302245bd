import { create } from 'zustand';
import type { ConnectionStatus } from '../../../shared/contract';
import type { AgentEvent } from '../../../shared/domain/events';
import type { Task } from '../../../shared/domain/task';
import { applyEventToTask } from './apply-event';

/** Most events kept per task in memory; the full journal stays in the database. */
export const MAX_EVENTS_PER_TASK = 2_000;

type TasksSlice = {
  tasks: Record<string, Task>;
  upsertTasks(tasks: Task[], replace?: boolean): void;
};

type EventsSlice = {
  eventsByTask: Record<string, AgentEvent[]>;
  /** Highest global sequence number applied; a reconnect resumes after it. */
  lastSeq: number;
  setTaskEvents(taskId: string, events: AgentEvent[]): void;
  applyEvents(events: AgentEvent[]): void;
  setLastSeq(seq: number): void;
};

type ConnectionSlice = {
  connection: ConnectionStatus;
  setConnection(status: ConnectionStatus): void;
};

export type AppState = TasksSlice & EventsSlice & ConnectionSlice;

export const useAppStore = create<AppState>()((set) => ({
  tasks: {},
  upsertTasks: (tasks, replace = false) =>
    set((s) => {
      const next: Record<string, Task> = replace ? {} : { ...s.tasks };
      for (const t of tasks) next[t.id] = t;
      return { tasks: next };
    }),

  eventsByTask: {},
  lastSeq: 0,
  setTaskEvents: (taskId, events) =>
    set((s) => ({
      eventsByTask: { ...s.eventsByTask, [taskId]: mergeEvents(s.eventsByTask[taskId] ?? [], events) },
    })),
  applyEvents: (events) =>
    set((s) => {
      const fresh = events.filter((e) => e.seq > s.lastSeq);
      if (fresh.length === 0) return {};
      const tasks = { ...s.tasks };
      const eventsByTask = { ...s.eventsByTask };
      const grouped = new Map<string, AgentEvent[]>();
      for (const e of fresh) {
        const updated = applyEventToTask(tasks[e.taskId], e);
        if (updated) tasks[e.taskId] = updated;
        const list = grouped.get(e.taskId) ?? [];
        list.push(e);
        grouped.set(e.taskId, list);
      }
      for (const [taskId, list] of grouped) eventsByTask[taskId] = mergeEvents(eventsByTask[taskId] ?? [], list);
      return { tasks, eventsByTask, lastSeq: fresh[fresh.length - 1]!.seq };
    }),
  setLastSeq: (seq) => set((s) => ({ lastSeq: Math.max(s.lastSeq, seq) })),

  connection: 'reconnecting',
  setConnection: (connection) => set({ connection }),
}));

/** Merges by sequence number: no duplicates, in order, bounded. */
function mergeEvents(existing: AgentEvent[], incoming: AgentEvent[]): AgentEvent[] {
  if (incoming.length === 0) return existing;
  const last = existing[existing.length - 1];
  let merged: AgentEvent[];
  if (!last || incoming[0]!.seq > last.seq) {
    merged = existing.concat(incoming);
  } else {
    const bySeq = new Map<number, AgentEvent>();
    for (const e of existing) bySeq.set(e.seq, e);
    for (const e of incoming) bySeq.set(e.seq, e);
    merged = [...bySeq.values()].sort((a, b) => a.seq - b.seq);
  }
  return merged.length > MAX_EVENTS_PER_TASK ? merged.slice(merged.length - MAX_EVENTS_PER_TASK) : merged;
}

export const selectTaskList = (s: AppState): Task[] =>
  Object.values(s.tasks).sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1));
