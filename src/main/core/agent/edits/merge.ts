import { planGaps } from './gaps';
import type { Placement } from './locate';

/**
 * Writes a located edit into the file. The model's SEARCH → REPLACE difference is what it meant to
 * change; the file's own lines stand for what it meant to keep. So a context line keeps the file's
 * exact text (even when the model mistyped or re-indented it), a context line the model dropped stays,
 * a context line it doubled is not added, and inserted lines are re-indented by the offset between
 * the model's indentation and the file's. Where a dropped line and an insertion meet and their order
 * cannot be known, the edit is refused rather than guessed.
 */
export type MergeResult = { ok: true; lines: string[] } | { ok: false; kind?: 'indent'; message: string };

export function mergeEdit(file: readonly string[], placement: Placement, search: readonly string[], replace: readonly string[]): MergeResult {
  const { keep, insertBefore } = diffLines(search, replace);
  const shift = indentShift(file, placement, search);
  if (!shift) return { ok: false, kind: 'indent', message: 'the SEARCH lines are indented differently from the file lines they match, and not by one consistent amount; copy them exactly' };
  const suffix = addedSuffix(file, placement, search);
  const fix = (line: string) => reindent(suffix && line.endsWith(suffix) ? line.slice(0, -suffix.length) : line, shift);
  const out: string[] = [];
  let pos = placement.start;
  const n = search.length;
  for (let i = 0; i < n; i++) {
    if (placement.pairs[i]! >= 0) continue;
    // A search line the file does not have: one the model wants gone, or context it doubled or made up.
    if (!keep[i]) return { ok: false, message: `the SEARCH line "${clip(search[i]!)}" is not in the file; copy the lines to change exactly` };
    // A doubled line is harmless unless the run of equal lines it is in changes inside (new lines between
    // two copies, or a copy deleted: which copy is the real one?); a made-up line is harmless unless new
    // lines sit next to it.
    let r0 = i;
    let r1 = i;
    while (r0 > 0 && search[r0 - 1]!.trim() === search[i]!.trim()) r0--;
    while (r1 + 1 < n && search[r1 + 1]!.trim() === search[i]!.trim()) r1++;
    const risky =
      r0 === r1
        ? insertBefore[i]!.length > 0 || insertBefore[i + 1]!.length > 0
        : keep.slice(r0, r1 + 1).some((k) => !k) || insertBefore.slice(r0 + 1, r1 + 1).some((l) => l.length > 0);
    if (risky) {
      return { ok: false, message: `the SEARCH line "${clip(search[i]!)}" is not in the file at that place, next to new lines; copy the SEARCH lines exactly` };
    }
  }
  const plan = planGaps(file, search, placement.pairs, keep, insertBefore, fix);
  if (!plan.ok) return { ok: false, message: plan.message };
  for (let i = 0; i <= n; i++) {
    const target = i < n ? placement.pairs[i]! : -1;
    const inserted = plan.insertBefore[i]!.map(fix);
    // File lines the model's SEARCH skipped, before this search line's place, stay (gaps.ts: on which
    // side of the new lines recorded here).
    out.push(...inserted);
    if (target >= 0 && pos < target) {
      while (pos < target) out.push(file[pos++]!);
      out.push(...(plan.afterGap.get(i) ?? []).map(fix));
    }
    if (i < n && target >= 0) {
      if (keep[i]) out.push(file[target]!);
      pos = target + 1;
    }
  }
  return { ok: true, lines: [...file.slice(0, placement.start), ...out, ...file.slice(placement.end)] };
}

/**
 * Trailing whitespace the model added to every line it copied (the same suffix on each non-blank
 * search line whose file line lacks it), to take off its new lines too; '' when there is none.
 */
function addedSuffix(file: readonly string[], placement: Placement, search: readonly string[]): string {
  let suffix: string | null = null;
  for (let i = 0; i < search.length; i++) {
    const at = placement.pairs[i]!;
    if (at < 0 || search[i]!.trim() === '') continue;
    const mine = search[i]!;
    const theirs = file[at]!;
    const extra = mine.length > theirs.length && mine.startsWith(theirs) && mine.slice(theirs.length).trim() === '' ? mine.slice(theirs.length) : mine.trimEnd() === theirs.trimEnd() && mine === theirs ? '' : null;
    if (extra === null) continue;
    if (suffix === null) suffix = extra;
    else if (suffix !== extra) return '';
  }
  return suffix ?? '';
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

/** Leading whitespace `from` (the model's) becomes `to` (the file's) on new lines. */
type Shift = { from: string; to: string };

/**
 * The indentation change from the model's search lines to the file lines they matched; null when the
 * lines disagree (a "});" matched to "  });" beside unshifted lines is another place, not a re-indent).
 */
function indentShift(file: readonly string[], placement: Placement, search: readonly string[]): Shift | null {
  const counts = new Map<string, { shift: Shift; n: number }>();
  search.forEach((line, i) => {
    const at = placement.pairs[i]!;
    if (at < 0 || line.trim() === '') return;
    const mine = lead(line);
    const theirs = lead(file[at]!);
    let common = 0;
    while (common < mine.length && common < theirs.length && mine[mine.length - 1 - common] === theirs[theirs.length - 1 - common]) common++;
    const shift: Shift = { from: mine.slice(0, mine.length - common), to: theirs.slice(0, theirs.length - common) };
    const key = `${shift.from}|${shift.to}`;
    const c = counts.get(key);
    if (c) c.n++;
    else counts.set(key, { shift, n: 1 });
  });
  if (counts.size > 1) return null;
  return [...counts.values()][0]?.shift ?? { from: '', to: '' };
}

function reindent(line: string, shift: Shift): string {
  if (shift.from === shift.to) return line;
  if (line.trim() === '') return '';
  return line.startsWith(shift.from) ? shift.to + line.slice(shift.from.length) : line;
}

const lead = (s: string): string => /^[ \t]*/.exec(s)![0];

function clip(s: string): string {
  const t = s.trim();
  return t.length > 60 ? `${t.slice(0, 57)}…` : t;
}
