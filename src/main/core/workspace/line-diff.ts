import { isBinary } from './hash';

export type LineCounts = { added: number; removed: number };

/** Lines of a text as git counts them: a final newline ends the last line rather than starting one. */
export function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/**
 * Lines added and removed between two versions of a file (what `git diff --numstat` reports), by
 * Myers' O(ND) algorithm on the part between the common prefix and suffix. Past `maxCost` edits it
 * stops and reports the whole middle as replaced: an over-count, which is the safe side for budgets.
 */
export function countLineChanges(before: Uint8Array | null, after: Uint8Array | null, maxCost = 20_000): LineCounts {
  if (before && after && Buffer.from(before).equals(Buffer.from(after))) return { added: 0, removed: 0 };
  if ((before && isBinary(before)) || (after && isBinary(after))) {
    // git counts a changed binary file as neither; budgets count it as one line each way.
    return { added: after ? 1 : 0, removed: before ? 1 : 0 };
  }
  const a = before ? splitLines(Buffer.from(before).toString('utf8')) : [];
  const b = after ? splitLines(Buffer.from(after).toString('utf8')) : [];
  return diffCounts(a, b, maxCost);
}

export function diffCounts(a: readonly string[], b: readonly string[], maxCost = 20_000): LineCounts {
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const n = endA - start;
  const m = endB - start;
  if (n === 0 || m === 0) return { added: m, removed: n };
  const ids = new Map<string, number>();
  const intern = (line: string) => {
    let id = ids.get(line);
    if (id === undefined) {
      id = ids.size;
      ids.set(line, id);
    }
    return id;
  };
  const xa = Int32Array.from({ length: n }, (_, i) => intern(a[start + i]!));
  const xb = Int32Array.from({ length: m }, (_, i) => intern(b[start + i]!));
  const cost = editDistance(xa, xb, Math.min(maxCost, n + m));
  if (cost < 0) return { added: m, removed: n };
  return { added: (cost + m - n) / 2, removed: (cost - m + n) / 2 };
}

/** Insertions plus deletions turning `a` into `b`, or -1 when more than `max`. */
function editDistance(a: Int32Array, b: Int32Array, max: number): number {
  const n = a.length;
  const m = b.length;
  const offset = max + 1;
  const v = new Int32Array(2 * max + 3);
  for (let d = 0; d <= max; d++) {
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!) ? v[offset + k + 1]! : v[offset + k - 1]! + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) return d;
    }
  }
  return -1;
}
