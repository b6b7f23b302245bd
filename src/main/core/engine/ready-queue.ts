import type { Priority } from '../../../shared/domain/task';

const RANK: Readonly<Record<Priority, number>> = { urgent: 3, high: 2, normal: 1, low: 0 };

/**
 * Tasks waiting for a worker: highest priority first, first come first served within a priority.
 * A task is in the queue at most once.
 */
export class ReadyQueue {
  private readonly entries = new Map<string, { rank: number; order: number }>();
  private counter = 0;

  add(taskId: string, priority: Priority): void {
    if (this.entries.has(taskId)) return;
    this.entries.set(taskId, { rank: RANK[priority], order: this.counter++ });
  }

  delete(taskId: string): void {
    this.entries.delete(taskId);
  }

  has(taskId: string): boolean {
    return this.entries.has(taskId);
  }

  get size(): number {
    return this.entries.size;
  }

  /** Removes and returns the next task, or undefined when empty. */
  take(): string | undefined {
    let best: string | undefined;
    let bestRank = -1;
    let bestOrder = Infinity;
    for (const [id, e] of this.entries) {
      if (e.rank > bestRank || (e.rank === bestRank && e.order < bestOrder)) {
        best = id;
        bestRank = e.rank;
        bestOrder = e.order;
      }
    }
    if (best !== undefined) this.entries.delete(best);
    return best;
  }

  clear(): void {
    this.entries.clear();
  }
}
