/** One `model.tokens` batch: a stream is one task's output from one model in one role. */
export type TokenBatch = { stream: string; model: string; ts: number; count: number };

/** A pause longer than this ends a run: the time between two generations is not generation time. */
export const RUN_GAP_MS = 10_000;

/**
 * Tokens per second per model, from the timestamps of batched token events. The first batch of a
 * run only marks its start (its tokens were produced before any timestamp we have), so a run
 * counts the tokens of its later batches over the time from its first batch to its last.
 */
export function throughputByModel(batches: readonly TokenBatch[]): { model: string; tokens: number; seconds: number; tokensPerSecond: number }[] {
  const byStream = new Map<string, TokenBatch[]>();
  for (const b of batches) {
    const list = byStream.get(b.stream);
    if (list) list.push(b);
    else byStream.set(b.stream, [b]);
  }
  const totals = new Map<string, { tokens: number; ms: number }>();
  for (const list of byStream.values()) {
    list.sort((a, b) => a.ts - b.ts);
    let runStart = list[0]!;
    let prev = runStart;
    let runTokens = 0;
    const close = (end: TokenBatch) => {
      const ms = end.ts - runStart.ts;
      if (ms > 0 && runTokens > 0) {
        const t = totals.get(runStart.model) ?? { tokens: 0, ms: 0 };
        t.tokens += runTokens;
        t.ms += ms;
        totals.set(runStart.model, t);
      }
    };
    for (const b of list.slice(1)) {
      if (b.ts - prev.ts > RUN_GAP_MS) {
        close(prev);
        runStart = b;
        runTokens = 0;
      } else {
        runTokens += b.count;
      }
      prev = b;
    }
    close(prev);
  }
  return [...totals.entries()]
    .map(([model, t]) => ({ model, tokens: t.tokens, seconds: t.ms / 1000, tokensPerSecond: t.tokens / (t.ms / 1000) }))
    .sort((a, b) => a.model.localeCompare(b.model));
}
