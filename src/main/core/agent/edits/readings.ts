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

/**
 * For the file lines skipped between search lines `prev` and `i = prev + 1` (both kept): how many of
 * the new lines planned before search line i go before the skipped lines (the rest after), or null
 * when the readings left give different texts or none lies among those new lines.
 */
export function readingCut(edit: Edit, prev: number, i: number): number | null {
  const { file, search, pairs, keep, ins, fix } = edit;
  const n = search.length;
  if (i !== prev + 1 || !keep[prev] || !keep[i]) return null;
  // One skipped stretch only, and every kept line in the file: the text written is then R with the
  // skipped lines put in, position for position.
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
  const written: string[] = [];
  let atPrev = -1;
  for (let j = 0; j <= n; j++) {
    for (const line of ins[j]!) {
      replace.push(line);
      written.push(fix(line));
    }
    if (j < n && keep[j]) {
      if (j === prev) atPrev = replace.length;
      replace.push(search[j]!);
      written.push(file[pairs[j]!]!);
    }
  }
  const s = search.map(normalizeSpace);
  const r = replace.map(normalizeSpace);
  if (s.length * r.length > 4_000_000) return null;
  const fwd = lcsPrefix(s.slice(0, i), r);
  const bwd = lcsPrefix([...s.slice(i)].reverse(), [...r].reverse()).reverse();
  const total = fwd.map((x, p) => x + bwd[p]!);
  const best = Math.max(...total);
  const before = file.slice(Math.max(0, first - CONTEXT), first);
  const model = [...before, ...written, ...file.slice(last + 1, last + 1 + CONTEXT)];
  const gapFrom = pairs[prev]! + 1;
  const gapTo = pairs[i]!;
  const gap = file.slice(gapFrom, gapTo);
  const braces = closesWithBrackets(file);
  const fitting: number[] = [];
  total.forEach((t, p) => {
    if (t === best && fitsAt(model, before.length + p, file, gapFrom, gapTo, braces)) fitting.push(p);
  });
  if (fitting.length === 0) return null;
  const p0 = fitting[0]!;
  if (!fitting.every((p) => sameText(written.slice(p0, p), gap))) return null;
  // The new lines planned before search line i sit in R just after search line prev.
  const from = atPrev + 1;
  const at = fitting.find((p) => p >= from && p <= from + ins[i]!.length);
  return at === undefined ? null : at - from;
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
