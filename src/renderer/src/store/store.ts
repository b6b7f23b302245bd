import { create } from 'zustand';
import type { ConnectionStatus } from '../../../shared/contract';
import type { AgentEvent } from '../../../shared/domain/events';
import type { Task } from '../../../shared/domain/task';
import { applyEventToTask } from './apply-event';

/** Most events kept per task in memory; the full journal stays in the database. */
export const MAX_EVENTS_PER_TASK = 2_000;
/**
 * Most tasks whose events are kept in memory at once; the least recently active lose theirs (the
 * detail page reloads them from the journal when opened). Bounds memory over a long session.
 */
export const MAX_TASKS_WITH_EVENTS = 50;

type TasksSlice = {
  tasks: Record<string, Task>;
  /** The journal's snapshot: the truth as of its sequence number (`replace` drops tasks it does not list). */
  setSnapshot(tasks: Task[], replace?: boolean): void;
  /**
   * Tasks from a call's reply (submit, pause, promote, a page load). A reply can reach the page after
   * live events that are newer than it: the live state, progress and iteration limit are then kept.
   */
  upsertTasks(tasks: Task[]): void;
};

type EventsSlice = {
  eventsByTask: Record<string, AgentEvent[]>;
  /** Events seen per task since the page loaded (the kept list is bounded, this is not). */
  eventCounts: Record<string, number>;
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
  setSnapshot: (tasks, replace = false) =>
    set((s) => {
      const next: Record<string, Task> = replace ? {} : { ...s.tasks };
      for (const t of tasks) next[t.id] = t;
      return { tasks: next };
    }),
  upsertTasks: (tasks) =>
    set((s) => {
      const next: Record<string, Task> = { ...s.tasks };
      for (const t of tasks) next[t.id] = newerOf(next[t.id], t);
      return { tasks: next };
    }),

  eventsByTask: {},
  eventCounts: {},
  lastSeq: 0,
  setTaskEvents: (taskId, events) =>
    set((s) => ({
      eventsByTask: evictIdle({ ...s.eventsByTask, [taskId]: mergeEvents(s.eventsByTask[taskId] ?? [], events) }, taskId),
      eventCounts: { ...s.eventCounts, [taskId]: Math.max(s.eventCounts[taskId] ?? 0, events.length) },
    })),
  applyEvents: (events) =>
    set((s) => {
      const fresh = events.filter((e) => e.seq > s.lastSeq);
      if (fresh.length === 0) return {};
      const tasks = { ...s.tasks };
      const eventsByTask = { ...s.eventsByTask };
      const eventCounts = { ...s.eventCounts };
      const grouped = new Map<string, AgentEvent[]>();
      let lastSeq = s.lastSeq;
      for (const e of fresh) {
        // A batch may hold the same event twice (a resubscription overlapping the live feed).
        if (e.seq <= lastSeq) continue;
        lastSeq = e.seq;
        const updated = applyEventToTask(tasks[e.taskId], e);
        if (updated) tasks[e.taskId] = updated;
        const list = grouped.get(e.taskId);
        if (list) list.push(e);
        else grouped.set(e.taskId, [e]);
      }
      for (const [taskId, list] of grouped) {
        eventsByTask[taskId] = mergeEvents(eventsByTask[taskId] ?? [], list);
        eventCounts[taskId] = (eventCounts[taskId] ?? 0) + list.length;
      }
      return { tasks, eventsByTask: evictIdle(eventsByTask), eventCounts, lastSeq };
    }),
  setLastSeq: (seq) => set((s) => ({ lastSeq: Math.max(s.lastSeq, seq) })),

  connection: 'reconnecting',
  setConnection: (connection) => set({ connection }),
}));

/** Merges by sequence number: no duplicates, in order, bounded. */
function mergeEvents(existing: AgentEvent[], incoming: AgentEvent[]): AgentEvent[] {
  if (incoming.length === 0) return existing;
  const last = existing[existing.length - 1];
  if (!last || incoming[0]!.seq > last.seq) {
    // The usual case under load: append, then keep only the newest.
    const overflow = existing.length + incoming.length - MAX_EVENTS_PER_TASK;
    return overflow > 0
      ? overflow >= existing.length
        ? incoming.slice(incoming.length - MAX_EVENTS_PER_TASK)
        : existing.slice(overflow).concat(incoming)
      : existing.concat(incoming);
  }
  const bySeq = new Map<number, AgentEvent>();
  for (const e of existing) bySeq.set(e.seq, e);
  for (const e of incoming) bySeq.set(e.seq, e);
  const merged = [...bySeq.values()].sort((a, b) => a.seq - b.seq);
  return merged.length > MAX_EVENTS_PER_TASK ? merged.slice(merged.length - MAX_EVENTS_PER_TASK) : merged;
}

/** Drops the events of the least recently active tasks beyond MAX_TASKS_WITH_EVENTS. */
function evictIdle(eventsByTask: Record<string, AgentEvent[]>, keep?: string): Record<string, AgentEvent[]> {
  const ids = Object.keys(eventsByTask);
  if (ids.length <= MAX_TASKS_WITH_EVENTS) return eventsByTask;
  const newest = (id: string) => eventsByTask[id]?.at(-1)?.seq ?? 0;
  const drop = ids
    .filter((id) => id !== keep)
    .sort((a, b) => newest(a) - newest(b))
    .slice(0, ids.length - MAX_TASKS_WITH_EVENTS);
  const next = { ...eventsByTask };
  for (const id of drop) delete next[id];
  return next;
}

export const selectTaskList = (s: AppState): Task[] =>
  Object.values(s.tasks).sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1));

/** Repositories of earlier tasks, most recently used first, for the submit form to offer. */
export const selectRecentRepos = (s: AppState): string[] => {
  const seen = new Set<string>();
  for (const t of Object.values(s.tasks).sort((a, b) => b.createdAt - a.createdAt)) {
    seen.add(t.repoPath);
    if (seen.size >= 10) break;
  }
  return [...seen];
};

/** A reply's task, unless live events already moved the task past it (see upsertTasks). */
function newerOf(live: Task | undefined, reply: Task): Task {
  if (!live || live.updatedAt <= reply.updatedAt) return reply;
  return { ...reply, state: live.state, progress: live.progress, maxIterations: live.maxIterations, updatedAt: live.updatedAt };
}
