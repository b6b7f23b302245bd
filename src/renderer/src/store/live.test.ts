import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AgentAgencyApi, ConnectionStatus } from '../../../shared/contract';
import type { AgentEvent, NewEvent } from '../../../shared/domain/events';
import type { Task } from '../../../shared/domain/task';
import { err, ok } from '../../../shared/errors';
import { FLUSH_MS, MAX_BUFFERED_EVENTS, startLiveUpdates } from './live';
import { MAX_EVENTS_PER_TASK, useAppStore } from './store';

const TASK = 'tsk_flood00000001';

/** A journal and a transport that can drop, like the headless host's WebSocket. */
class FakeHost {
  events: AgentEvent[] = [];
  task: Task = {
    id: TASK,
    description: 'flood',
    repoPath: '/r',
    mode: 'auto',
    riskTier: 2,
    priority: 'normal',
    maxIterations: 5,
    state: { kind: 'queued' },
    progress: 0,
    createdAt: 1,
    updatedAt: 1,
    spec: null,
  };
  connected = false;
  subscribedAfter: (number | undefined)[] = [];
  /** The server's cap on missed events per snapshot (TaskService.MAX_MISSED_EVENTS). */
  maxMissed = 5_000;
  private live: ((e: AgentEvent) => void) | undefined;
  private subscribedAt = Infinity;
  private statusListeners = new Set<(s: ConnectionStatus) => void>();

  append(event: NewEvent): AgentEvent {
    const e = { ...event, seq: this.events.length + 1, taskId: TASK, taskSeq: this.events.length + 1, ts: 1_000 + this.events.length } as AgentEvent;
    this.events.push(e);
    if (e.type === 'task.state') this.task = { ...this.task, state: e.payload.to };
    if (e.type === 'progress') this.task = { ...this.task, progress: e.payload.percent };
    if (this.connected && e.seq > this.subscribedAt) this.live?.(e);
    return e;
  }

  progress(n: number) {
    for (let i = 0; i < n; i++) this.append({ type: 'progress', payload: { percent: (this.events.length % 100) + 0.5, message: `step ${this.events.length}` } });
  }

  setConnected(connected: boolean) {
    this.connected = connected;
    for (const l of this.statusListeners) l(connected ? 'connected' : 'reconnecting');
  }

  readonly api = {
    subscribe: async (input: { afterSeq?: number }) => {
      await Promise.resolve();
      if (!this.connected) return err('unavailable', 'connection to the app was lost; try again');
      this.subscribedAfter.push(input.afterSeq);
      const missed = input.afterSeq === undefined ? [] : this.events.filter((e) => e.seq > input.afterSeq!).slice(0, this.maxMissed);
      this.subscribedAt = this.events.length;
      return ok({ tasks: [this.task], missed, lastSeq: this.events.length });
    },
    onEvent: (listener: (e: AgentEvent) => void) => {
      this.live = listener;
      return () => (this.live = undefined);
    },
    onConnection: (listener: (s: ConnectionStatus) => void) => {
      this.statusListeners.add(listener);
      return () => this.statusListeners.delete(listener);
    },
  } as unknown as AgentAgencyApi;
}

let host: FakeHost;
let stop: () => void;

beforeEach(() => {
  vi.useFakeTimers();
  useAppStore.setState({ tasks: {}, eventsByTask: {}, eventCounts: {}, lastSeq: 0, connection: 'reconnecting' });
  host = new FakeHost();
  host.append({ type: 'task.created', payload: { task: host.task } });
  stop = startLiveUpdates(host.api);
});
afterEach(() => {
  stop();
  vi.useRealTimers();
});

const settle = () => vi.advanceTimersByTimeAsync(FLUSH_MS * 3);
const state = () => useAppStore.getState();

function expectComplete() {
  const s = state();
  expect(s.lastSeq).toBe(host.events.length);
  const kept = s.eventsByTask[TASK] ?? [];
  // In order, no duplicates, ending at the last event journaled.
  expect(kept.every((e, i) => i === 0 || e.seq === kept[i - 1]!.seq + 1)).toBe(true);
  expect(kept.at(-1)?.seq).toBe(host.events.length);
}

describe('live updates', () => {
  it('resumes after a dropped connection from the last sequence number, losing nothing', async () => {
    host.setConnected(true);
    await settle();
    host.progress(30);
    await settle();
    expect(state().lastSeq).toBe(31);

    host.setConnected(false);
    // More than two snapshot pages happen while the page is away.
    host.progress(12_345);
    host.append({ type: 'task.state', payload: { from: { kind: 'queued' }, to: { kind: 'completed' }, cause: 'done' } });
    host.setConnected(true);
    await settle();

    expectComplete();
    expect(host.subscribedAfter).toEqual([undefined, 31, 5_031, 10_031]);
    expect(state().tasks[TASK]?.state.kind).toBe('completed');
    // Every event after the first snapshot (task.created came before it).
    expect(state().eventCounts[TASK]).toBe(host.events.length - 1);
    expect(state().eventsByTask[TASK]).toHaveLength(MAX_EVENTS_PER_TASK);
  });

  it('holds live events that arrive during a catch-up and applies them after, in order', async () => {
    host.setConnected(true);
    await settle();
    host.setConnected(false);
    host.progress(6_000);
    host.setConnected(true);
    // Live events interleave with the catch-up's pages.
    for (let i = 0; i < 20; i++) {
      host.progress(5);
      await vi.advanceTimersByTimeAsync(1);
    }
    await settle();
    expectComplete();
  });

  it('batches a flood into at most one store update per flush interval', async () => {
    host.setConnected(true);
    await settle();
    let updates = 0;
    const off = useAppStore.subscribe(() => updates++);
    // 1,000 events in one second, ten every 10 ms.
    for (let t = 0; t < 100; t++) {
      host.progress(10);
      await vi.advanceTimersByTimeAsync(10);
    }
    await settle();
    off();
    expectComplete();
    expect(updates).toBeLessThanOrEqual(Math.ceil(1_000 / FLUSH_MS) + 2);
    expect(updates).toBeGreaterThan(1);
  });

  it('when too many events pile up between flushes, drops the buffer and catches up from the journal', async () => {
    host.setConnected(true);
    await settle();
    host.progress(MAX_BUFFERED_EVENTS + 10);
    await settle();
    expectComplete();
    expect(host.subscribedAfter.length).toBeGreaterThan(1);
  });
});

describe('replies and live events', () => {
  it("a reply that arrives after newer live events does not take the task's state back", async () => {
    useAppStore.setState({ connection: 'connected' });
    host.setConnected(true);
    await settle();
    const submitted = { ...host.task };
    host.append({ type: 'task.state', payload: { from: { kind: 'queued' }, to: { kind: 'planning' } } } as NewEvent);
    await settle();
    expect(state().tasks[TASK]?.state).toEqual({ kind: 'planning' });
    // The submit call's reply (the task as created, still queued) lands now.
    state().upsertTasks([{ ...submitted, spec: 'id: X\n' }]);
    expect(state().tasks[TASK]?.state).toEqual({ kind: 'planning' });
    expect(state().tasks[TASK]?.spec).toBe('id: X\n');
    // A reply newer than anything live is taken whole.
    state().upsertTasks([{ ...submitted, state: { kind: 'paused', from: 'planning' }, updatedAt: 1_000_000 }]);
    expect(state().tasks[TASK]?.state).toMatchObject({ kind: 'paused' });
  });
});
