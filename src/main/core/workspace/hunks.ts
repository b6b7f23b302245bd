/**
 * Applies unified-diff style hunks to a text file. Models rarely get line numbers right, so `oldStart`
 * is only a hint: the hunk's old lines (context and removals) are looked for nearest the hint, after
 * the previous hunk. A hunk whose old lines are not in the file fails the whole patch; nothing is
 * guessed.
 */
export type Hunk = {
  /** 1-based line where the hunk's old lines start; a hint. */
  oldStart: number;
  /** Each line starts with ' ' (context), '-' (removed) or '+' (added); '' counts as an empty context line. */
  lines: readonly string[];
};

export type HunkResult = { ok: true; text: string } | { ok: false; message: string };

export function applyHunks(original: string, hunks: readonly Hunk[]): HunkResult {
  if (hunks.length === 0) return { ok: false, message: 'the patch has no hunks' };
  const crlf = original.includes('\r\n') && !/(^|[^\r])\n/.test(original);
  const text = crlf ? original.replace(/\r\n/g, '\n') : original;
  const finalNewline = text === '' || text.endsWith('\n');
  const lines = text === '' ? [] : text.split('\n');
  if (text.endsWith('\n')) lines.pop();

  let minPos = 0;
  for (const [index, hunk] of hunks.entries()) {
    const parsed = parseHunk(hunk);
    if (!parsed.ok) return { ok: false, message: `hunk ${index + 1}: ${parsed.message}` };
    const { oldLines, ops } = parsed;
    if (!ops.some((op) => op.tag !== ' ')) return { ok: false, message: `hunk ${index + 1} changes nothing` };
    const hint = Math.max(minPos, Math.min(lines.length, Math.trunc(hunk.oldStart) - 1));
    const at = oldLines.length === 0 ? hint : locate(lines, oldLines, hint, minPos);
    if (at < 0) {
      const first = oldLines[0] ?? '';
      return { ok: false, message: `hunk ${index + 1} does not apply: its old lines (starting "${clip(first)}") are not in the file after line ${minPos}` };
    }
    // Context lines keep the file's own text (a whitespace-tolerant match must not rewrite them).
    const newLines: string[] = [];
    let j = at;
    for (const op of ops) {
      if (op.tag === ' ') newLines.push(lines[j++]!);
      else if (op.tag === '-') j++;
      else newLines.push(op.body);
    }
    lines.splice(at, oldLines.length, ...newLines);
    minPos = at + newLines.length;
  }
  let out = lines.join('\n');
  if (lines.length > 0 && finalNewline) out += '\n';
  return { ok: true, text: crlf ? out.replace(/\n/g, '\r\n') : out };
}

type Op = { tag: ' ' | '-' | '+'; body: string };

function parseHunk(hunk: Hunk): { ok: true; oldLines: string[]; ops: Op[] } | { ok: false; message: string } {
  const oldLines: string[] = [];
  const ops: Op[] = [];
  for (const raw of hunk.lines) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.includes('\n')) return { ok: false, message: 'a hunk line contains a newline; give one line per entry' };
    const tag = line[0];
    const body = line.slice(1);
    if (line === '' || tag === ' ') {
      oldLines.push(body);
      ops.push({ tag: ' ', body });
    } else if (tag === '-') {
      oldLines.push(body);
      ops.push({ tag: '-', body });
    } else if (tag === '+') ops.push({ tag: '+', body });
    else if (line.startsWith('\\')) continue; // "\ No newline at end of file"
    else return { ok: false, message: `line "${clip(line)}" does not start with ' ', '-' or '+'` };
  }
  return { ok: true, oldLines, ops };
}

/** Nearest exact match to `hint` at or after `minPos`; then the same ignoring trailing whitespace. */
function locate(lines: readonly string[], needle: readonly string[], hint: number, minPos: number): number {
  for (const eq of [exact, trimmedEnd]) {
    const maxStart = lines.length - needle.length;
    for (let distance = 0; ; distance++) {
      const down = hint + distance;
      const up = hint - distance;
      if (down > maxStart && up < minPos) break;
      if (down <= maxStart && down >= minPos && matchesAt(lines, needle, down, eq)) return down;
      if (distance > 0 && up >= minPos && up <= maxStart && matchesAt(lines, needle, up, eq)) return up;
    }
  }
  return -1;
}

const exact = (a: string, b: string) => a === b;
const trimmedEnd = (a: string, b: string) => a.trimEnd() === b.trimEnd();

function matchesAt(lines: readonly string[], needle: readonly string[], at: number, eq: (a: string, b: string) => boolean): boolean {
  for (let i = 0; i < needle.length; i++) if (!eq(lines[at + i]!, needle[i]!)) return false;
  return true;
}

function clip(s: string): string {
  return s.length > 60 ? `${s.slice(0, 57)}…` : s;
}
