import { abortError, throwIfAborted } from '../abort';

type Entry<S> = { sequence: S; lastPrompt: string };
type Waiter<S> = { prompt: string; wake: (entry: Entry<S>) => void };

export type LentSequence<S> = { sequence: S; release(prompt: string): void };

/**
 * The context sequences of one loaded model, lent one per call. At most `limit` are lent at once
 * (the resource manager lowers it under pressure, down to one); calls beyond it wait first come,
 * first served. A free sequence is chosen by what it already holds (see `take`), so prompts with a
 * stable beginning land where that beginning is evaluated and reuse its KV cache.
 */
export class SequencePool<S> {
  private readonly free: Entry<S>[];
  private readonly waiters: Waiter<S>[] = [];
  private readonly total: number;
  private lent = 0;
  private max: number;

  constructor(sequences: readonly S[]) {
    if (sequences.length === 0) throw new Error('a sequence pool needs at least one sequence');
    this.free = sequences.map((sequence) => ({ sequence, lastPrompt: '' }));
    this.total = sequences.length;
    this.max = this.total;
  }

  get limit(): number {
    return this.max;
  }

  get inUse(): number {
    return this.lent;
  }

  /** Sets how many sequences may be lent at once (1..total); returns the value in force. */
  setLimit(n: number): number {
    this.max = Math.max(1, Math.min(this.total, Math.floor(n)));
    this.wake();
    return this.max;
  }

  async acquire(prompt: string, signal?: AbortSignal): Promise<LentSequence<S>> {
    throwIfAborted(signal);
    let entry: Entry<S>;
    if (this.lent < this.max && this.waiters.length === 0) {
      this.lent++;
      entry = this.take(prompt);
    } else {
      entry = await this.wait(prompt, signal);
    }
    let released = false;
    return {
      sequence: entry.sequence,
      release: (evaluated: string) => {
        if (released) return;
        released = true;
        entry.lastPrompt = evaluated;
        this.free.push(entry);
        this.lent--;
        this.wake();
      },
    };
  }

  /**
   * The free entry to evaluate `prompt` on: one whose last prompt the new one extends (a task's next
   * iteration, a judge's next round) if any, the longest such; otherwise the one where reusing the
   * shared prefix gains the most over what overwriting its cached tail loses. The loss counts twice:
   * that tail belongs to a caller likely to come back for it (an unused sequence loses nothing).
   * Ties go to the most recently returned.
   */
  private take(prompt: string): Entry<S> {
    let best = this.free.length - 1;
    let bestScore = -Infinity;
    for (let i = this.free.length - 1; i >= 0; i--) {
      const last = this.free[i]!.lastPrompt;
      const shared = commonPrefixLength(last, prompt);
      const score = last.length > 0 && shared === last.length ? Number.MAX_SAFE_INTEGER / 2 + shared : shared - 2 * (last.length - shared);
      if (score > bestScore) {
        best = i;
        bestScore = score;
      }
    }
    return this.free.splice(best, 1)[0]!;
  }

  private wait(prompt: string, signal: AbortSignal | undefined): Promise<Entry<S>> {
    return new Promise((resolve, reject) => {
      const waiter: Waiter<S> = {
        prompt,
        wake: (entry) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(entry);
        },
      };
      const onAbort = () => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(abortError(signal));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  /** Hands free sequences to waiters, in order, while the limit allows; the slot is theirs at once. */
  private wake(): void {
    while (this.lent < this.max && this.free.length > 0 && this.waiters.length > 0) {
      const next = this.waiters.shift()!;
      this.lent++;
      next.wake(this.take(next.prompt));
    }
  }
}

export function commonPrefixLength(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}
