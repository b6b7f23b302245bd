import type { AgentEvent } from '../../../../shared/domain/events';

/** One role's streamed output within one phase (the planner's spec, a judge's review, the worker's action). */
export type OutputStream = {
  key: string;
  phase: string | null;
  role: string;
  model: string;
  /** The newest text, cut to the stream limit. */
  text: string;
  /** True when older text was dropped to stay within the limit. */
  clipped: boolean;
  tokens: number;
  lastSeq: number;
};

export const MAX_STREAM_CHARS = 4_000;
export const MAX_STREAMS = 6;

/**
 * Folds `model.tokens` batches into the latest few streams, newest first, each bounded: a long
 * generation or a flood of batches keeps memory and DOM size fixed.
 */
export function outputStreams(events: readonly AgentEvent[], maxStreams = MAX_STREAMS, maxChars = MAX_STREAM_CHARS): OutputStream[] {
  // Pieces are collected by reference and joined once at the end: under a flood of batches this
  // stays linear in the events, with no repeated copying of the text so far.
  type Building = Omit<OutputStream, 'text' | 'clipped'> & { pieces: string[] };
  const streams = new Map<string, Building>();
  let phase: string | null = null;
  for (const e of events) {
    if (e.type === 'phase.started') phase = e.payload.phase;
    if (e.type !== 'model.tokens') continue;
    const key = `${phase ?? '-'}:${e.payload.role}`;
    let s = streams.get(key);
    if (!s) {
      s = { key, phase, role: e.payload.role, model: e.payload.model, pieces: [], tokens: 0, lastSeq: 0 };
      streams.set(key, s);
    }
    s.pieces.push(e.payload.text);
    s.tokens += e.payload.count;
    s.model = e.payload.model;
    s.lastSeq = e.seq;
  }
  return [...streams.values()]
    .sort((a, b) => b.lastSeq - a.lastSeq)
    .slice(0, maxStreams)
    .map(({ pieces, ...s }) => {
      let chars = 0;
      let first = pieces.length;
      while (first > 0 && chars < maxChars) chars += pieces[--first]!.length;
      const joined = pieces.slice(first).join('');
      const clipped = first > 0 || joined.length > maxChars;
      return { ...s, text: joined.length > maxChars ? joined.slice(joined.length - maxChars) : joined, clipped };
    });
}
