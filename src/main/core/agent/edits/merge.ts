import type { Placement } from './locate';

/**
 * Writes a located edit into the file. The model's SEARCH → REPLACE difference is what it meant to
 * change; the file's own lines stand for what it meant to keep. So a context line keeps the file's
 * exact text (even when the model mistyped or re-indented it), a context line the model dropped stays,
 * a context line it doubled is not added, and inserted lines are re-indented by the offset between
 * the model's indentation and the file's. Where a dropped line and an insertion meet and their order
 * cannot be known, the edit is refused rather than guessed.
 */
export type MergeResult = { ok: true; lines: string[] } | { ok: false; message: string };

export function mergeEdit(file: readonly string[], placement: Placement, search: readonly string[], replace: readonly string[]): MergeResult {
  const { keep, insertBefore } = diffLines(search, replace);
  const shift = indentShift(file, placement, search);
  const tolerant = placement.tier !== 'exact';
  const still = shift.add === '' && shift.remove === 0;
  const fix = (line: string) => (tolerant ? (still ? line.trimEnd() : reindent(line.trimEnd(), shift)) : line);
  const out: string[] = [];
  let pos = placement.start;
  const n = search.length;
  for (let i = 0; i <= n; i++) {
    const target = i < n ? placement.pairs[i]! : -1;
    const inserted = insertBefore[i]!.map(fix);
    // File lines the model's SEARCH skipped, before this search line's place.
    const gap: string[] = [];
    if (target >= 0) {
      while (pos < target) gap.push(file[pos++]!);
    }
    if (gap.length > 0 && inserted.length > 0) {
      const prevKept = i > 0 && keep[i - 1];
      const nextKept = i < n && keep[i];
      if (prevKept === nextKept) {
        return { ok: false, message: `line ${target - gap.length + 1} ("${clip(gap[0]!)}") is in the file but not in the SEARCH text, next to new lines; include it in SEARCH so the order is clear` };
      }
      // Deleted line before, kept after: the insertion replaces the deletion, the skipped lines follow.
      if (prevKept) out.push(...gap, ...inserted);
      else out.push(...inserted, ...gap);
    } else out.push(...gap, ...inserted);
    if (i < n && target >= 0) {
      if (keep[i]) out.push(file[target]!);
      pos = target + 1;
    }
  }
  return { ok: true, lines: [...file.slice(0, placement.start), ...out, ...file.slice(placement.end)] };
}

/**
 * Which search lines REPLACE keeps, and the lines it inserts before each search line (index n: at
 * the end), from a longest common subsequence of whole lines.
 */
export function diffLines(a: readonly string[], b: readonly string[]): { keep: boolean[]; insertBefore: string[][] } {
  const n = a.length;
  const m = b.length;
  const keep = new Array<boolean>(n).fill(false);
  const insertBefore: string[][] = Array.from({ length: n + 1 }, () => []);
  if (n * m > 4_000_000) {
    // Too large for the table: only the common prefix and suffix count as kept.
    let p = 0;
    while (p < n && p < m && a[p] === b[p]) keep[p++] = true;
    let q = 0;
    while (q < n - p && q < m - p && a[n - 1 - q] === b[m - 1 - q]) keep[n - 1 - q++] = true;
    insertBefore[n - q]!.push(...b.slice(p, m - q));
    return { keep, insertBefore };
  }
  const W = m + 1;
  const t = new Uint32Array((n + 1) * W);
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) t[i * W + j] = a[i] === b[j] ? t[(i + 1) * W + j + 1]! + 1 : Math.max(t[(i + 1) * W + j]!, t[i * W + j + 1]!);
  }
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      keep[i++] = true;
      j++;
    } else if (j < m && (i >= n || t[i * W + j + 1]! >= t[(i + 1) * W + j]!)) insertBefore[i]!.push(b[j++]!);
    else i++;
  }
  return { keep, insertBefore };
}

type Shift = { add: string; remove: number };

/** The most common indentation offset from the model's search lines to the file lines they matched. */
function indentShift(file: readonly string[], placement: Placement, search: readonly string[]): Shift {
  const counts = new Map<string, { shift: Shift; n: number }>();
  search.forEach((line, i) => {
    const at = placement.pairs[i]!;
    if (at < 0 || line.trim() === '') return;
    const mine = lead(line);
    const theirs = lead(file[at]!);
    const shift: Shift = theirs.startsWith(mine) ? { add: theirs.slice(mine.length), remove: 0 } : mine.startsWith(theirs) ? { add: '', remove: mine.length - theirs.length } : { add: '', remove: 0 };
    const key = `${shift.add}|${shift.remove}`;
    const c = counts.get(key);
    if (c) c.n++;
    else counts.set(key, { shift, n: 1 });
  });
  let best: { shift: Shift; n: number } | undefined;
  for (const c of counts.values()) if (!best || c.n > best.n) best = c;
  return best?.shift ?? { add: '', remove: 0 };
}

function reindent(line: string, shift: Shift): string {
  if (line.trim() === '') return '';
  if (shift.add) return shift.add + line;
  if (shift.remove > 0) {
    const have = lead(line).length;
    return line.slice(Math.min(have, shift.remove));
  }
  return line;
}

const lead = (s: string): string => /^[ \t]*/.exec(s)![0];

function clip(s: string): string {
  const t = s.trim();
  return t.length > 60 ? `${t.slice(0, 57)}…` : t;
}
