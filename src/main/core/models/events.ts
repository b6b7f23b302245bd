import type { ModelEvent, NewModelEvent } from '../../../shared/domain/model';
import type { Clock } from '../journal/journal';

export type ModelEventListener = (event: ModelEvent) => void;

/**
 * Events of the model service, which belong to no task: kept in a bounded in-memory log with a
 * sequence number, so a client reads a snapshot and then asks for what came after it.
 */
export class ModelEventBus {
  private readonly log: ModelEvent[] = [];
  private readonly listeners = new Set<ModelEventListener>();
  private seq = 0;

  constructor(
    private readonly clock: Clock,
    private readonly capacity = 2_000,
  ) {}

  emit(event: NewModelEvent): ModelEvent {
    const full = { ...event, seq: ++this.seq, ts: this.clock.now() } as ModelEvent;
    this.log.push(full);
    if (this.log.length > this.capacity) this.log.splice(0, this.log.length - this.capacity);
    for (const listener of this.listeners) {
      try {
        listener(full);
      } catch {
        // A faulty listener must not stop the others or the emitter.
      }
    }
    return full;
  }

  /** Events after `afterSeq` still in the log, oldest first; `truncated` when some were dropped. */
  since(afterSeq: number, limit = 500): { events: ModelEvent[]; lastSeq: number; truncated: boolean } {
    const first = this.log[0];
    const truncated = first !== undefined && first.seq > afterSeq + 1;
    const events = this.log.filter((e) => e.seq > afterSeq).slice(0, limit);
    return { events, lastSeq: this.seq, truncated };
  }

  get lastSeq(): number {
    return this.seq;
  }

  subscribe(listener: ModelEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
