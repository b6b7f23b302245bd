import type { Clock } from '../journal/journal';

export type TimerHandle = { readonly id: number };

/** Timers the scheduler uses, injected so tests and the simulation run on a fake clock. */
export interface Timers {
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** Real timers, unref'd: a sampling loop must never keep a process alive on its own. */
export function systemTimers(): Timers {
  const live = new Map<number, ReturnType<typeof setTimeout>>();
  let next = 1;
  return {
    setTimeout(callback, ms) {
      const id = next++;
      const t = setTimeout(() => {
        live.delete(id);
        callback();
      }, ms);
      t.unref?.();
      live.set(id, t);
      return { id };
    },
    clearTimeout(handle) {
      const t = live.get(handle.id);
      if (t !== undefined) clearTimeout(t);
      live.delete(handle.id);
    },
  };
}

type Scheduled = { id: number; at: number; order: number; callback: () => void };

/**
 * A clock and timers that move only when told to. `advance` runs due callbacks in time order and
 * lets promise continuations settle between them, so async code behaves as it would in real time.
 */
export class FakeClock implements Clock, Timers {
  private current: number;
  private queue: Scheduled[] = [];
  private nextId = 1;
  private order = 0;

  constructor(start = 0) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  setTimeout(callback: () => void, ms: number): TimerHandle {
    const id = this.nextId++;
    this.queue.push({ id, at: this.current + Math.max(0, ms), order: this.order++, callback });
    return { id };
  }

  clearTimeout(handle: TimerHandle): void {
    this.queue = this.queue.filter((t) => t.id !== handle.id);
  }

  /** Moves time forward by `ms`, running every timer that falls due on the way. */
  async advance(ms: number): Promise<void> {
    await this.advanceTo(this.current + ms);
  }

  async advanceTo(target: number): Promise<void> {
    await settle();
    for (;;) {
      const due = this.nextDue(target);
      if (!due) break;
      this.queue = this.queue.filter((t) => t !== due);
      this.current = Math.max(this.current, due.at);
      due.callback();
      await settle();
    }
    this.current = Math.max(this.current, target);
    await settle();
  }

  pendingTimers(): number {
    return this.queue.length;
  }

  private nextDue(target: number): Scheduled | undefined {
    let best: Scheduled | undefined;
    for (const t of this.queue) {
      if (t.at > target) continue;
      if (!best || t.at < best.at || (t.at === best.at && t.order < best.order)) best = t;
    }
    return best;
  }
}

/** Lets every queued promise continuation run (a macrotask turn drains the microtask queue). */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
