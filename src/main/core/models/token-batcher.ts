import type { Journal } from '../journal/journal';
import type { Logger } from '../observability/logger';

/** How often streamed text reaches the journal (and the live view) while a call runs. */
export const TOKEN_FLUSH_MS = 250;

/**
 * Collects streamed text of one call and journals it as `model.tokens` events in batches — a few a
 * second, never one per token — so a task's progress view shows the model thinking without the
 * journal becoming the bottleneck.
 */
export class TokenBatcher {
  private text = '';
  private count = 0;
  private batch = 0;
  private lastFlush: number;

  constructor(
    private readonly options: {
      journal: Journal;
      logger: Logger;
      now: () => number;
      taskId: string;
      callId: string;
      model: string;
      role: string;
    },
  ) {
    this.lastFlush = options.now();
  }

  push(text: string): void {
    this.text += text;
    this.count++;
    if (this.options.now() - this.lastFlush >= TOKEN_FLUSH_MS) this.flush();
  }

  flush(): void {
    this.lastFlush = this.options.now();
    if (this.count === 0) return;
    const { journal, taskId, callId, model, role } = this.options;
    const payload = { model, role, text: this.text, count: this.count };
    this.text = '';
    this.count = 0;
    try {
      journal.append(taskId, { type: 'model.tokens', payload }, `${taskId}:model.tokens:${callId}:${this.batch++}`);
    } catch (e) {
      // Progress text is a view, not a record the task depends on: a failed write must not fail the call.
      this.options.logger.warn({ err: e, taskId }, 'could not journal model tokens');
    }
  }
}
