import type { AgentEvent, NewEvent } from '../../../shared/domain/events';
import type { Db } from '../db/open';
import { findByIdempotencyKey, insertEvent } from '../db/queries/events';

export type Clock = { now(): number };
export const systemClock: Clock = { now: () => Date.now() };

export type JournalListener = (event: AgentEvent) => void;

export type JournalOptions = { db: Db; clock: Clock };

/**
 * The append-only event journal. An event is durable before anyone hears of it; appending with an
 * idempotency key that was already used returns the first event instead of writing a second.
 */
export class Journal {
  private readonly listeners = new Set<JournalListener>();
  private readonly db: Db;
  private readonly clock: Clock;
  private pending: AgentEvent[] = [];
  private depth = 0;

  constructor(options: JournalOptions) {
    this.db = options.db;
    this.clock = options.clock;
  }

  /**
   * Runs `work` in one transaction; every event appended inside it is published only after commit,
   * so listeners never see an event that a rollback undid.
   */
  transaction<T>(work: () => T): T {
    this.depth++;
    const mark = this.pending.length;
    let result: T;
    try {
      result = this.db.transaction(work).immediate();
    } catch (e) {
      this.depth--;
      // Events appended inside the rolled-back part never happened.
      this.pending.length = mark;
      throw e;
    }
    this.depth--;
    if (this.depth === 0) this.flush();
    return result;
  }

  append(taskId: string, event: NewEvent, idempotencyKey: string): { event: AgentEvent; duplicate: boolean } {
    return this.transaction(() => {
      const existing = findByIdempotencyKey(this.db, idempotencyKey);
      if (existing) return { event: existing, duplicate: true };
      const written = insertEvent(this.db, taskId, event, idempotencyKey, this.clock.now());
      this.pending.push(written);
      return { event: written, duplicate: false };
    });
  }

  subscribe(listener: JournalListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private flush(): void {
    const batch = this.pending;
    this.pending = [];
    for (const event of batch) {
      for (const listener of this.listeners) {
        try {
          listener(event);
        } catch {
          // A faulty listener must not stop the others or the writer.
        }
      }
    }
  }
}
