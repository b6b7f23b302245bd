import { commonPrefixLength } from './sequence-pool';

/** Shared prompt text below this is not worth a copy (a short system message evaluates in moments). */
export const MIN_SHARED_CHARS = 400;
/** A donor must hold this much more of the prompt than the sequence already does. */
export const MIN_GAIN_CHARS = 200;

/** `copied`: the sequence started from another's state rather than evaluating its beginning itself. */
type Held = { prompt: string; evaluated: Promise<number | undefined>; copied: boolean };

/** What a call may take from another sequence: its evaluated state, up to its prompt's end. */
export type Donor<S> = { sequence: S; shared: number; evaluated: Promise<number | undefined> };

export type Holding = {
  /** The prompt is evaluated: `tokens` is where its state ends in the sequence (undefined if unknown). */
  evaluated(tokens?: number): void;
};

/**
 * Which prompt each context sequence of one model holds or is evaluating, so a call can start from
 * another sequence's evaluated state instead of evaluating the same beginning again: the four judges
 * of a review share everything but their role, so the first evaluates it and the others copy it.
 *
 * A donor is chosen only from calls registered before this one (`donorFor` then `begin`), so waits
 * form a chain, never a cycle; a donor that fails still resolves `evaluated` (from `finally`).
 *
 * A sequence that evaluated the material itself is preferred over one that copied it (unless the
 * copy holds much more of the prompt): every judge then copies from the first, all at its first
 * token, before the batch resumes. Copying from a copier waits for the copier's first token, by
 * when two sequences generate; node-llama-cpp then keeps its context busy with their batches and
 * a copy waits until they finish, which made a four-judge review take a serial review's time.
 */
export class SharedPrefixes<S> {
  private readonly held = new Map<S, Held>();

  /** The sequence holding the longest part of `prompt`, if it beats what `own` already holds by enough. */
  donorFor(own: S, prompt: string): Donor<S> | undefined {
    const mine = this.held.get(own);
    const already = mine ? commonPrefixLength(mine.prompt, prompt) : 0;
    let best: Donor<S> | undefined;
    let bestScore = -Infinity;
    for (const [sequence, h] of this.held) {
      if (sequence === own) continue;
      const shared = commonPrefixLength(h.prompt, prompt);
      const score = shared + (h.copied ? 0 : MIN_GAIN_CHARS);
      if (shared >= MIN_SHARED_CHARS && shared >= already + MIN_GAIN_CHARS && score > bestScore) {
        best = { sequence, shared, evaluated: h.evaluated };
        bestScore = score;
      }
    }
    return best;
  }

  /**
   * Records that `sequence` now evaluates `prompt` (starting from a donor's copy if `copied`); call
   * `evaluated` once it is (and always at the end).
   */
  begin(sequence: S, prompt: string, copied = false): Holding {
    let resolve!: (tokens: number | undefined) => void;
    const evaluated = new Promise<number | undefined>((r) => (resolve = r));
    this.held.set(sequence, { prompt, evaluated, copied });
    let done = false;
    return {
      evaluated: (tokens) => {
        if (done) return;
        done = true;
        resolve(tokens);
      },
    };
  }
}
