/**
 * Where file lines the model left out of an edit can stand among its new lines, by the block structure
 * indentation shows. Used only to rule readings out, never to pick among readings that all fit:
 * - a line that opens a block (the line after it is deeper) keeps a deeper line right after it, with
 *   no blank line between when it had none;
 * - a closing bracket that ends a deeper block keeps a deeper line, or an opener, right before it;
 * - a line deeper than a closing bracket before it would hang under nothing (unless it continues it);
 * - in a file whose blocks end with closing brackets, a line less deep than the one before it (not a
 *   comment) closes one.
 * What a model line stood next to across the place being tried says nothing (the left-out lines were
 * there); then only an open bracket at its end says that a block starts.
 */

/** A line that ends by opening a bracket or a block (`{`, `(`, `[`, a Python `:`). */
const OPENS = /[{([:]$/;
/** A line that ends by opening a bracket. */
const BRACKET_OPENS = /[{([]$/;
/** A line that starts by closing a bracket. */
const CLOSES = /^[)\]}]/;
/** A line that continues the one before (a chained call, an operator, more arguments), not a comment. */
const CONTINUES = /^(?:[.?:+\-&|,)\]}]|[*/](?![*/\s]))/;

/** A comment line (a block comment's star lines sit one space in and close nothing). */
const COMMENT = /^(?:\*|\/\/|\/\*|#)/;

const blank = (line: string): boolean => line.trim() === '';
const width = (line: string): number => /^[ \t]*/.exec(line)![0].length;
const deeper = (a: string, b: string): boolean => width(a) > width(b);

/** The line that came next to a line where it came from, and whether nothing (no blank) stood between. */
type Neighbour = { line: string; adjacent: boolean } | null;

/**
 * Whether the nearest non-blank lines either side of `at` in `text` (a, then b) may follow each other,
 * given what followed a (`aNext`) and what came before b (`bPrev`) where each came from, when known.
 */
function joins(text: readonly string[], at: number, aNext: Neighbour, bPrev: Neighbour, braces: boolean): boolean {
  const ai = lastSolid(text, at);
  const bi = firstSolid(text, at);
  if (ai < 0 || bi >= text.length) return true;
  const a = text[ai]!;
  const b = text[bi]!;
  // Unknown what followed a: an open bracket at its end still says a block starts.
  const opens = aNext !== null ? deeper(aNext.line, a) : BRACKET_OPENS.test(a.trimEnd());
  if (opens && !deeper(b, a) && !CLOSES.test(b.trim())) return false;
  // An opener its block followed at once keeps it so: no blank line slipped in between.
  if (opens && aNext?.adjacent === true && bi > ai + 1) return false;
  if (bPrev !== null && CLOSES.test(b.trim()) && deeper(bPrev.line, b) && !deeper(a, b) && !OPENS.test(a.trimEnd())) return false;
  if (aNext !== null && CLOSES.test(a.trim()) && !OPENS.test(a.trimEnd()) && !opens && deeper(b, a) && !CONTINUES.test(b.trim())) return false;
  // Where blocks end with closing brackets, a line shallower than the one before it closes one.
  if (braces && deeper(a, b) && !CLOSES.test(b.trim()) && !COMMENT.test(a.trim())) return false;
  return true;
}

/** The non-blank line after index `at` of `text` (before `limit`), or null. */
function follower(text: readonly string[], at: number, limit: number): Neighbour {
  if (at < 0) return null;
  const k = firstSolid(text, at + 1);
  return k < limit ? { line: text[k]!, adjacent: k === at + 1 } : null;
}

/** The non-blank line before index `at` of `text` (from `floor` on), or null. */
function leader(text: readonly string[], at: number, floor: number): Neighbour {
  if (at >= text.length) return null;
  const k = lastSolid(text, at);
  return k >= floor ? { line: text[k]!, adjacent: k === at - 1 } : null;
}

/** Index of the last non-blank line of `text` before `end`, or -1. */
function lastSolid(text: readonly string[], end: number): number {
  for (let k = end - 1; k >= 0; k--) if (!blank(text[k]!)) return k;
  return -1;
}

/** Index of the first non-blank line of `text` from `start`, or text.length. */
function firstSolid(text: readonly string[], start: number): number {
  for (let k = start; k < text.length; k++) if (!blank(text[k]!)) return k;
  return text.length;
}

/**
 * Whether the file lines `file[gapFrom, gapTo)` can stand at position `p` of `model` (the text the edit
 * writes, without them) without breaking the block structure either text shows around them. What the
 * model's lines stood next to across position p says nothing: that is where the left-out lines were.
 */
export function fitsAt(model: readonly string[], p: number, file: readonly string[], gapFrom: number, gapTo: number, braces: boolean): boolean {
  const gap = file.slice(gapFrom, gapTo);
  const first = firstSolid(gap, 0);
  const last = lastSolid(gap, gap.length);
  if (first === gap.length) return true;
  const text = [...model.slice(0, p), ...gap, ...model.slice(p)];
  const entry = joins(text, p + first, follower(model, lastSolid(model, p), p), leader(file, gapFrom + first, 0), braces);
  const exit = joins(text, p + last + 1, follower(file, gapFrom + last, file.length), leader(model, firstSolid(model, p), p), braces);
  return entry && exit;
}

/**
 * True when the file ends its blocks with closing brackets: of the lines shallower than the line before
 * them (at least BRACE_MIN of them), nearly all (BRACE_SHARE) start with `}`, `)` or `]`.
 */
export function closesWithBrackets(file: readonly string[]): boolean {
  let dedents = 0;
  let closers = 0;
  let prev: string | null = null;
  for (const line of file) {
    if (blank(line)) continue;
    if (prev !== null && deeper(prev, line) && !COMMENT.test(prev.trim())) {
      dedents++;
      if (CLOSES.test(line.trim())) closers++;
    }
    prev = line;
  }
  return dedents >= BRACE_MIN && closers >= BRACE_SHARE * dedents;
}

const BRACE_MIN = 5;
const BRACE_SHARE = 0.9;
