import { normalizeSpace } from './locate';
import { closesWithBrackets, fitsAt } from './structure';

/**
 * Where file lines the model left out of its SEARCH text go in the text it wrote, found without
 * trusting one line diff. The REPLACE text R is the model's whole intent; the left-out lines stand at
 * some position p of R. A position is a reading when R[..p] and R[p..] keep as many SEARCH lines
 * before and after the left-out lines as R does at all (the longest common subsequences add up): any
 * such position is a way the model's text could be read, however a diff happens to draw it. Readings
 * that break the block structure (structure.ts) are ruled out; what is left must give one text, or
 * nobody can know and nothing is written.
 */

/** What gaps.ts knows of the edit at this point. */
export type Edit = {
  file: readonly string[];
  search: readonly string[];
  pairs: readonly number[];
  keep: readonly boolean[];
  /** New lines before each search line (index n: at the end), as planned so far. */
  ins: readonly string[][];
  /** A new line as it will be written (re-indented like the file). */
  fix: (line: string) => string;
};

/** Lines of file context either side of the edit that the structure may look at. */
const CONTEXT = 3;

/** The text the edit writes (R, file lines for kept ones) with file context either side. */
type Written = {
  /** The REPLACE text as the model wrote it. */
  replace: string[];
  /** The same lines as they will be written, after `before` lines of file context, then context after. */
  model: string[];
  before: number;
  /** `starts[j]`: where in `replace` the new lines planned before search line j begin. */
  starts: number[];
};

/**
 * The text the edit writes, when the skipped file lines between search lines `prev` and `i` are the
 * only ones and every kept line is in the file (the text written is then R with the skipped lines put
 * in, position for position); null otherwise.
 */
function written(edit: Edit, i: number): Written | null {
  const { file, search, pairs, keep, ins, fix } = edit;
  const n = search.length;
  let lastAt = -1;
  for (let j = 0; j < n; j++) {
    if (keep[j] && pairs[j]! < 0) return null;
    if (pairs[j]! < 0) continue;
    if (lastAt >= 0 && j !== i && pairs[j]! !== lastAt + 1) return null;
    lastAt = pairs[j]!;
  }
  const matched = pairs.filter((p) => p >= 0);
  const first = matched[0]!;
  const last = matched[matched.length - 1]!;
  const replace: string[] = [];
  const lines: string[] = [];
  const starts: number[] = [];
  for (let j = 0; j <= n; j++) {
    starts.push(replace.length);
    for (const line of ins[j]!) {
      replace.push(line);
      lines.push(fix(line));
    }
    if (j < n && keep[j]) {
      replace.push(search[j]!);
      lines.push(file[pairs[j]!]!);
    }
  }
  const before = file.slice(Math.max(0, first - CONTEXT), first);
  return { replace, model: [...before, ...lines, ...file.slice(last + 1, last + 1 + CONTEXT)], before: before.length, starts };
}

/** Which of the positions `at` of R (the text the edit writes) the skipped lines before search line i can stand at, by the block structure. */
function fitting(edit: Edit, w: Written, prev: number, i: number, at: readonly number[]): number[] {
  const gapFrom = edit.pairs[prev]! + 1;
  const gapTo = edit.pairs[i]!;
  const braces = closesWithBrackets(edit.file);
  return at.filter((p) => fitsAt(w.model, w.before + p, edit.file, gapFrom, gapTo, braces));
}

/**
 * For the file lines skipped between search lines `prev` and `i = prev + 1` (both kept): how many of
 * the new lines planned before search line i go before the skipped lines (the rest after), or null
 * when the readings left give different texts or none lies among those new lines.
 */
export function readingCut(edit: Edit, prev: number, i: number): number | null {
  const { file, search, pairs, keep, ins } = edit;
  if (i !== prev + 1 || !keep[prev] || !keep[i]) return null;
  const w = written(edit, i);
  if (!w) return null;
  const s = search.map(normalizeSpace);
  const r = w.replace.map(normalizeSpace);
  if (s.length * r.length > 4_000_000) return null;
  const fwd = lcsPrefix(s.slice(0, i), r);
  const bwd = lcsPrefix([...s.slice(i)].reverse(), [...r].reverse()).reverse();
  const total = fwd.map((x, p) => x + bwd[p]!);
  const best = Math.max(...total);
  const ties = total.flatMap((t, p) => (t === best ? [p] : []));
  const fit = fitting(edit, w, prev, i, ties);
  if (fit.length === 0) return null;
  const gap = file.slice(pairs[prev]! + 1, pairs[i]!);
  const lines = w.model.slice(w.before, w.before + w.replace.length);
  const p0 = fit[0]!;
  if (!fit.every((p) => sameText(lines.slice(p0, p), gap))) return null;
  // The new lines planned before search line i sit in R just after search line prev.
  const from = w.starts[i]!;
  const at = fit.find((p) => p >= from && p <= from + ins[i]!.length);
  return at === undefined ? null : at - from;
}

/**
 * Of the cuts of a change's new lines (planned from search line `a` on) that the resemblance of new
 * lines to deleted ones leaves, those at which the skipped lines before search line i can stand by
 * the block structure; null when the text written cannot be told.
 */
export function fittingCuts(edit: Edit, prev: number, i: number, a: number, cuts: readonly number[]): number[] | null {
  const w = written(edit, i);
  if (!w) return null;
  const from = w.starts[a]!;
  return fitting(
    edit,
    w,
    prev,
    i,
    cuts.map((k) => from + k),
  ).map((p) => p - from);
}

/** `out[p]`: the length of the longest common subsequence of `a` and `b[0, p)`. */
function lcsPrefix(a: readonly string[], b: readonly string[]): number[] {
  let row = new Array<number>(a.length + 1).fill(0);
  const out = [0];
  for (let p = 1; p <= b.length; p++) {
    const next = new Array<number>(a.length + 1).fill(0);
    for (let k = 1; k <= a.length; k++) next[k] = a[k - 1] === b[p - 1] ? row[k - 1]! + 1 : Math.max(row[k]!, next[k - 1]!);
    row = next;
    out.push(row[a.length]!);
  }
  return out;
}

/** True when moving `moved` across `gap` changes nothing: gap + moved reads the same as moved + gap. */
export function sameText(moved: readonly string[], gap: readonly string[]): boolean {
  const a = [...gap, ...moved];
  const b = [...moved, ...gap];
  return a.every((line, k) => line.trimEnd() === b[k]!.trimEnd());
}
