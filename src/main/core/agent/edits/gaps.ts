import { normalizeSpace, similarity } from './locate';
import { fittingCuts, readingCut, sameText } from './readings';

/**
 * File lines the model's SEARCH text skipped (a context line it left out) stay in the file; this
 * decides where they go against the model's new lines, or that nobody could know.
 *
 * The SEARCH → REPLACE line diff is cut into changes: a run of deleted search lines with the new
 * lines next to it (new lines replace the lines they stand beside, so they take those lines' place in
 * the file), or new lines alone between two kept lines. A skipped line lies at a boundary between two
 * search lines. A change wholly before it or wholly after it is clear. A change that could sit on
 * either side — a pure insertion at that very boundary, or a change the diff could equally have drawn
 * a line further (its first line equal to the kept line after it, or its last to the one before: the
 * usual slide of a diff over blank lines and repeated braces) across the skipped line — is refused.
 * A skipped line at or inside a run of deletions splits the run's new lines in one cut, by which new
 * lines are modified copies of the deleted lines on either side, when that cut is unique; else when the
 * block structure (structure.ts) allows only cuts the resemblance allows too, giving one text. Next to
 * new lines alone, every place the skipped lines could stand in the REPLACE text is tried (readings.ts):
 * those the block structure allows must all give one text.
 */

export type GapPlan =
  | { ok: true; insertBefore: string[][]; afterGap: Map<number, string[]> }
  | { ok: false; fileLine: number; message: string };

/** A new line counts as a modified copy of a deleted line of its kind from this similarity up… */
const SPLIT_SIMILAR = 0.5;
/** …and cuts of the new lines scoring within this of the best are readings as good as it. */
const SPLIT_MARGIN = 0.1;

type Change = { a: number; e: number; inserted: string[] };

/**
 * `pairs[i]` is the file line search line i matched (-1 when none); `keep`/`insertBefore` come from
 * the SEARCH → REPLACE line diff. Where file lines were skipped just before search line i, the new
 * lines in `insertBefore[i]` go before them and those in `afterGap.get(i)` after them.
 */
export function planGaps(
  file: readonly string[],
  search: readonly string[],
  pairs: readonly number[],
  keep: readonly boolean[],
  insertBefore: readonly string[][],
  fix: (line: string) => string = (line) => line,
): GapPlan {
  const ins = insertBefore.map((l) => [...l]);
  const afterGap = new Map<number, string[]>();
  const changes = changesOf(keep, insertBefore);
  const norm = search.map(normalizeSpace);
  const split = new Set<Change>();
  let prev = -1;
  for (let i = 0; i < search.length; i++) {
    if (pairs[i]! < 0) continue;
    if (prev >= 0 && pairs[i]! > pairs[prev]! + 1) {
      const gapFrom = pairs[prev]! + 1;
      const refuse = (why: string): GapPlan => ({
        ok: false,
        fileLine: gapFrom,
        message: `line ${gapFrom + 1} ("${clip(file[gapFrom]!)}") is in the file but not in the SEARCH text, ${why}; include it in SEARCH`,
      });
      // The skipped lines sit at some boundary from just after the previous matched search line to
      // just before this one; a neighbour equal to a skipped line could have been matched in its place.
      let lo = prev + 1;
      let hi = i;
      // Equal as the file has them (indentation too): a line one level off is no line that could have been matched instead.
      const skipped = file.slice(gapFrom, pairs[i]!).map((l) => l.trimEnd());
      if (skipped.includes(file[pairs[prev]!]!.trimEnd())) lo = prev;
      if (skipped.includes(file[pairs[i]!]!.trimEnd())) hi = i + 1;
      for (const c of changes) {
        const offsets = shifts(c, search, keep, norm);
        const sides = new Set<string>();
        for (const s of offsets) for (let b = lo; b <= hi; b++) sides.add(side(c.a + s, c.e + s, b));
        if (sides.size === 1 && (sides.has('before') || sides.has('after'))) continue;
        // New lines alone (no deleted line whose alignment could be redrawn elsewhere) drawn wholly on
        // one side of the skipped lines, which only slide over equal lines (a blank, a brace) as far as
        // the skipped lines and never past them: placed after them on that side, every such drawing
        // gives the same text, so the reading as drawn is the only one that keeps them on one side.
        const drawn = new Set<string>();
        for (let b = lo; b <= hi; b++) drawn.add(side(c.a, c.e, b));
        const clean = [...sides].filter((x) => x === 'before' || x === 'after');
        if (c.a === c.e && drawn.size === 1 && clean.length === 1 && drawn.has(clean[0]!) && !sides.has('touch')) continue;
        // New lines alone that could go on either side of the skipped lines, or among them: the
        // readings of the model's text the block structure leaves may all give one text.
        if (c.a === c.e && lo === hi && !afterGap.has(i)) {
          const q = readingCut({ file, search, pairs, keep, ins, fix }, prev, i);
          if (q !== null) {
            const lines = ins[i]!;
            ins[i] = lines.slice(0, q);
            if (q < lines.length) afterGap.set(i, lines.slice(q));
            continue;
          }
        }
        if (sides.size > 1 || sides.has('at') || offsets.length > 1 || lo !== hi) return refuse('next to a change, so where the change goes against it is unclear');
        // The change touches the skipped lines: its new lines replace the deleted lines on either side.
        if (c.inserted.length === 0) continue;
        if (split.has(c)) return refuse('inside a change that skips other lines too');
        const gap = file.slice(gapFrom, pairs[i]!);
        // Cuts the resemblance of new lines to deleted ones leaves, then those the block structure allows.
        let cuts = splitPoint(c.inserted, search.slice(c.a, i), search.slice(i, c.e));
        if (!sameCut(c.inserted, cuts, gap)) {
          // The structure must leave only cuts the resemblance leaves too: a line moved across the
          // skipped lines looks like a copy on the wrong side, and then the two disagree.
          const all = c.inserted.map((_, k) => k).concat(c.inserted.length);
          const fit = fittingCuts({ file, search, pairs, keep, ins, fix }, prev, i, c.a, all) ?? [];
          cuts = fit.every((k) => cuts.includes(k)) ? fit : [];
        }
        if (cuts.length === 0 || !sameCut(c.inserted, cuts, gap)) return refuse('next to new lines that could go before or after it');
        const at = cuts[0]!;
        for (let k = c.a; k <= c.e; k++) ins[k] = [];
        ins[c.a] = c.inserted.slice(0, at);
        afterGap.set(i, c.inserted.slice(at));
        split.add(c);
      }
    }
    prev = i;
  }
  return { ok: true, insertBefore: ins, afterGap };
}

/** The diff's changes: runs of deleted lines a..e-1 with the new lines recorded before a..e, and lone insertions (a = e). */
function changesOf(keep: readonly boolean[], insertBefore: readonly string[][]): Change[] {
  const out: Change[] = [];
  const n = keep.length;
  for (let j = 0; j <= n; ) {
    if (j < n && !keep[j]) {
      let e = j;
      while (e < n && !keep[e]) e++;
      out.push({ a: j, e, inserted: insertBefore.slice(j, e + 1).flat() });
      j = e + 1;
    } else {
      if (insertBefore[j]!.length > 0) out.push({ a: j, e: j, inserted: [...insertBefore[j]!] });
      j++;
    }
  }
  return out;
}

/** Every offset the diff could equally have drawn the change at (0 included), over kept lines equal to its own. */
function shifts(c: Change, search: readonly string[], keep: readonly boolean[], norm: readonly string[]): number[] {
  const out = [0];
  const old = search.slice(c.a, c.e).map(normalizeSpace);
  const added = c.inserted.map(normalizeSpace);
  const slides = (line: string, first: (xs: string[]) => string | undefined) => [old, added].every((xs) => xs.length === 0 || first(xs) === line);
  for (let [o, a, s] = [[...old], [...added], 0]; c.e + s < search.length && keep[c.e + s]! && slides(norm[c.e + s]!, (xs) => xs[0]); ) {
    const line = norm[c.e + s]!;
    if (o.length) o = [...o.slice(1), line];
    if (a.length) a = [...a.slice(1), line];
    out.push(++s);
  }
  for (let [o, a, s] = [[...old], [...added], 0]; c.a + s > 0 && keep[c.a + s - 1]! && slides(norm[c.a + s - 1]!, (xs) => xs[xs.length - 1]); ) {
    const line = norm[c.a + s - 1]!;
    if (o.length) o = [line, ...o.slice(0, -1)];
    if (a.length) a = [line, ...a.slice(0, -1)];
    out.push(--s);
  }
  return out;
}

/**
 * Where a change drawn over search lines a..e-1 (a lone insertion when a = e) lies against boundary b
 * (just before search line b): wholly before or after it, a lone insertion right at it, or touching it.
 */
function side(a: number, e: number, b: number): 'before' | 'after' | 'at' | 'touch' {
  if (a === e) return a < b ? 'before' : a > b ? 'after' : 'at';
  if (e < b) return 'before';
  if (a > b) return 'after';
  return 'touch';
}

/**
 * The cuts of `inserted` (how many go before the skipped lines, the rest after them) the resemblance
 * of new lines to deleted ones leaves. The new lines are a contiguous run, so a reading is one cut. A
 * new line that is a modified copy of a deleted line (similar by SPLIT_SIMILAR, of its kind) stays on
 * that line's side; copies are paired in order (a monotone alignment, as a diff pairs lines), so a line
 * that only looks like a deleted line out of order is no copy. Each cut scores the similarity of the
 * pairs it allows; the cuts left are those within SPLIT_MARGIN of the best. A new line paired with
 * nothing at the cut could go either way: both cuts are left.
 */
function splitPoint(inserted: readonly string[], before: readonly string[], after: readonly string[]): number[] {
  const ins = inserted.map(normalizeSpace);
  const sims = [...before, ...after].map((d) => {
    const del = normalizeSpace(d);
    return ins.map((line) => (line === '' || del === '' || kind(line) !== kind(del) ? 0 : similarity(line, del)));
  });
  // A new line written twice (code moved and repeated) says nothing about which copy took a deleted line's place.
  const repeated = ins.map((line, k) => ins.some((other, o) => o !== k && other === line));
  const copies = sims.map((row) => row.map((sim, k) => (sim >= SPLIT_SIMILAR && !repeated[k] ? sim : 0)));
  const pre = alignedPrefixes(copies.slice(0, before.length), ins.length);
  const suf = alignedPrefixes(copies.slice(before.length).map((row) => [...row].reverse()).reverse(), ins.length).reverse();
  const score = pre.map((p, k) => p + suf[k]!);
  const best = Math.max(...score);
  return score.flatMap((x, k) => (x > best - SPLIT_MARGIN ? [k] : []));
}

/** True when every cut gives the same text (new lines equal to the skipped lines they would move across). */
function sameCut(inserted: readonly string[], cuts: readonly number[], gap: readonly string[]): boolean {
  const q = cuts[0];
  return q !== undefined && cuts.every((k) => sameText(inserted.slice(Math.min(k, q), Math.max(k, q)), gap));
}

/**
 * `out[k]`: the best total weight of copies paired in order between new lines 0..k-1 and the deleted
 * lines, `weight[d][k]` being how surely new line k is a copy of deleted line d (0: it is not).
 */
function alignedPrefixes(weight: readonly (readonly number[])[], lines: number): number[] {
  const m = weight.length;
  let row = new Array<number>(m + 1).fill(0);
  const out = [0];
  for (let k = 0; k < lines; k++) {
    const next = new Array<number>(m + 1).fill(0);
    for (let j = 1; j <= m; j++) {
      const w = weight[j - 1]![k]!;
      next[j] = Math.max(row[j]!, next[j - 1]!, w > 0 ? row[j - 1]! + w : 0);
    }
    row = next;
    out.push(row[m]!);
  }
  return out;
}

/** What a line is, by its first character: a word, or a mark (a comment, a list item, a bracket). */
const kind = (line: string): string => (/^[\p{L}\p{N}_$]/u.test(line) ? 'word' : line[0]!);

function clip(s: string): string {
  const t = s.trim();
  return t.length > 60 ? `${t.slice(0, 57)}…` : t;
}
