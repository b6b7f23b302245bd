import type { WorkPriority } from './admission';

/** Interactive work and approvals first, then the council, then background work. */
export const RANK: Record<WorkPriority, number> = { interactive: 0, approval: 0, council: 1, background: 2 };

/** Background work waiting longer than this goes ahead of shorter work that arrived after it. */
export const DEFAULT_AGING_MS = 120_000;

export type Queued = {
  id: number;
  priority: WorkPriority;
  since: number;
  /** The task's expected remaining time, when its history gives one. */
  expectedMs?: number | undefined;
};

/**
 * The order waiting requests are served in: by rank; FIFO within interactive, approval and council
 * work; background work shortest expected remaining time first (work with no estimate after work
 * with one, FIFO among themselves), except that a request waiting longer than `agingMs` goes first
 * (oldest first), so a long task is delayed by shorter ones but never starved by them.
 */
export function serviceOrder<T extends Queued>(queue: readonly T[], now: number, agingMs: number): T[] {
  const key = (w: T): [number, number, number, number] => {
    const rank = RANK[w.priority];
    if (rank !== RANK.background) return [rank, 0, 0, w.id];
    if (now - w.since >= agingMs) return [rank, 0, w.since, w.id];
    return [rank, 1, w.expectedMs ?? Number.POSITIVE_INFINITY, w.id];
  };
  return queue
    .map((w) => ({ w, k: key(w) }))
    .sort((a, b) => a.k[0] - b.k[0] || a.k[1] - b.k[1] || compare(a.k[2], b.k[2]) || a.k[3] - b.k[3])
    .map((x) => x.w);
}

// Infinity - Infinity is NaN: compare explicitly.
const compare = (a: number, b: number): number => (a === b ? 0 : a < b ? -1 : 1);
