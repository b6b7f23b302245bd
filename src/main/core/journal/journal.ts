import type { AgentEvent, NewEvent } from '../../../shared/domain/events';
import { AppFailure } from '../../../shared/errors';
import type { Db } from '../db/open';
import { appendEvent, appendEventUnlocked } from '../db/queries/events';
import { cancellationJournaled } from '../db/queries/tasks';
import type { Logger } from '../observability/logger';

export type Clock = { now(): number };
export const systemClock: Clock = { now: () => Date.now() };

export type JournalListener = (event: AgentEvent) => void;

export type JournalOptions = { db: Db; clock: Clock; logger?: Logger };

/**
 * What may still be journaled for a cancelled task: the record that its workspace was cleaned up.
 * Everything else (model output, iterations, tool calls, a step's late result) is dropped.
 */
const AFTER_CANCEL: ReadonlySet<string> = new Set(['task.cleanup']);

/**
 * The append-only event journal. An event is durable before anyone hears of it; appending with an
 * idempotency key that was already used returns the first event instead of writing a second.
 */
export class Journal {
  private readonly listeners = new Set<JournalListener>();
  private readonly db: Db;
  private readonly clock: Clock;
  private readonly logger: Logger | undefined;
  /** Appends refused because their task was cancelled (see `append`). */
  droppedAfterCancel = 0;
  private pending: AgentEvent[] = [];
  private depth = 0;
  /** Built once: better-sqlite3 wraps a function per `transaction()` call. */
  private readonly run: { immediate<T>(work: () => T): T };

  constructor(options: JournalOptions) {
    this.db = options.db;
    this.clock = options.clock;
    this.logger = options.logger;
    const tx = this.db.transaction((work: () => unknown) => work());
    this.run = { immediate: <T>(work: () => T) => tx.immediate(work) as T };
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
      result = this.run.immediate(work);
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

  /**
   * Appends one event. Fails closed for a cancelled task: once the task's cancellation is written
   * (its projection says cancelled and its task.cancelled event exists), any later event of it,
   * whoever writes it, is dropped, logged and refused with a `cancelled` failure.
   */
  append(taskId: string, event: NewEvent, idempotencyKey: string): { event: AgentEvent; duplicate: boolean } {
    const guarded = !AFTER_CANCEL.has(event.type);
    if (this.depth === 0 && !this.db.inTransaction) {
      // Outside a transaction, one autocommit insert does (see appendEventUnlocked for why it is
      // safe); the read that checks the chain tip also answers whether the task is cancelled.
      const written = appendEventUnlocked(this.db, taskId, event, idempotencyKey, this.clock.now(), guarded);
      if (written === 'cancelled') this.refuse(taskId, event, idempotencyKey);
      if (written) {
        if (!written.duplicate) {
          this.pending.push(written.event);
          this.flush();
        }
        return written;
      }
    }
    if (guarded && cancellationJournaled(this.db, taskId)) this.refuse(taskId, event, idempotencyKey);
    return this.transaction(() => {
      const written = appendEvent(this.db, taskId, event, idempotencyKey, this.clock.now());
      if (!written.duplicate) this.pending.push(written.event);
      return written;
    });
  }

  private refuse(taskId: string, event: NewEvent, idempotencyKey: string): never {
    this.droppedAfterCancel++;
    this.logger?.warn({ taskId, type: event.type, idempotencyKey }, 'dropped an event of a cancelled task');
    throw new AppFailure('cancelled', `task ${taskId} was cancelled; its ${event.type} event is not journaled`);
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
