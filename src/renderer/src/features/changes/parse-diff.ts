/**
 * Reads a unified diff as `git diff` writes it (the patch a task produced) into files, hunks and
 * numbered lines for the diff viewer. Tolerant: unknown header lines are kept as metadata.
 */
export type DiffLine =
  | { kind: 'context'; text: string; oldNo: number; newNo: number }
  | { kind: 'add'; text: string; newNo: number }
  | { kind: 'del'; text: string; oldNo: number }
  | { kind: 'note'; text: string };

export type DiffHunk = { header: string; oldStart: number; newStart: number; lines: DiffLine[] };

export type DiffFile = {
  oldPath: string | null;
  newPath: string | null;
  /** The path to show: the new one, or the old one for a deletion. */
  path: string;
  status: 'added' | 'deleted' | 'modified' | 'renamed';
  binary: boolean;
  hunks: DiffHunk[];
  added: number;
  removed: number;
};

const HUNK = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@(.*)$/;

export function parseUnifiedDiff(patch: string): DiffFile[] {
  const files: DiffFile[] = [];
  let file: DiffFile | null = null;
  let hunk: DiffHunk | null = null;
  let oldNo = 0;
  let newNo = 0;
  let oldLeft = 0;
  let newLeft = 0;
  const lines = patch.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();

  for (const line of lines) {
    if (line.startsWith('diff --git ')) {
      const [a, b] = splitGitPaths(line.slice('diff --git '.length));
      file = newFile(stripPrefix(a), stripPrefix(b));
      files.push(file);
      hunk = null;
      continue;
    }
    if (!file) {
      // A plain unified diff without git's header line.
      if (!line.startsWith('--- ')) continue;
      file = newFile(pathOf(line.slice(4)), null);
      files.push(file);
      hunk = null;
    }
    const f: DiffFile = file;
    if (hunk && line.startsWith('\\')) {
      hunk.lines.push({ kind: 'note', text: line.slice(2) });
      continue;
    }
    // The header's line counts say where a hunk ends, so a later "--- " is never read as a removal.
    if (hunk && (oldLeft > 0 || newLeft > 0) && (line.startsWith(' ') || line.startsWith('+') || line.startsWith('-') || line === '')) {
      if (line.startsWith('+')) {
        hunk.lines.push({ kind: 'add', text: line.slice(1), newNo: newNo++ });
        newLeft--;
        f.added++;
      } else if (line.startsWith('-')) {
        hunk.lines.push({ kind: 'del', text: line.slice(1), oldNo: oldNo++ });
        oldLeft--;
        f.removed++;
      } else {
        hunk.lines.push({ kind: 'context', text: line.slice(1), oldNo: oldNo++, newNo: newNo++ });
        oldLeft--;
        newLeft--;
      }
      continue;
    }
    const m = HUNK.exec(line);
    if (m) {
      oldNo = Number(m[1]);
      newNo = Number(m[3]);
      oldLeft = m[2] === undefined ? 1 : Number(m[2]);
      newLeft = m[4] === undefined ? 1 : Number(m[4]);
      hunk = { header: line, oldStart: oldNo, newStart: newNo, lines: [] };
      f.hunks.push(hunk);
      continue;
    }
    if (line.startsWith('new file mode')) f.status = 'added';
    else if (line.startsWith('deleted file mode')) f.status = 'deleted';
    else if (line.startsWith('rename from ')) {
      f.status = 'renamed';
      f.oldPath = unquote(line.slice('rename from '.length));
    } else if (line.startsWith('rename to ')) {
      f.status = 'renamed';
      f.newPath = unquote(line.slice('rename to '.length));
      f.path = f.newPath;
    } else if (line.startsWith('GIT binary patch') || line.startsWith('Binary files ')) f.binary = true;
    else if (line.startsWith('--- ')) {
      const p = pathOf(line.slice(4));
      f.oldPath = p;
      if (p === null) f.status = 'added';
    } else if (line.startsWith('+++ ')) {
      const p = pathOf(line.slice(4));
      f.newPath = p;
      if (p === null) f.status = 'deleted';
      f.path = f.newPath ?? f.oldPath ?? f.path;
    }
  }
  for (const f of files) {
    if (f.status === 'deleted') f.newPath = null;
    if (f.status === 'added') f.oldPath = null;
    f.path = f.newPath ?? f.oldPath ?? f.path;
  }
  return files;
}

function newFile(oldPath: string | null, newPath: string | null): DiffFile {
  return { oldPath, newPath, path: newPath ?? oldPath ?? '(unknown)', status: 'modified', binary: false, hunks: [], added: 0, removed: 0 };
}

function pathOf(raw: string): string | null {
  const p = unquote(raw.replace(/\t.*$/, ''));
  return p === '/dev/null' ? null : stripPrefix(p);
}

function stripPrefix(p: string | null): string | null {
  if (p === null) return null;
  return p.startsWith('a/') || p.startsWith('b/') ? p.slice(2) : p;
}

/** `a/x b/y`, where either may be C-quoted ("a/caf\303\251"). */
function splitGitPaths(rest: string): [string, string] {
  if (rest.startsWith('"')) {
    const end = closingQuote(rest, 0);
    return [unquote(rest.slice(0, end + 1)), unquote(rest.slice(end + 2))];
  }
  const quoted = rest.indexOf(' "');
  if (quoted >= 0) return [rest.slice(0, quoted), unquote(rest.slice(quoted + 1))];
  // Unquoted paths with spaces: both halves are the same length when the path is unchanged.
  const half = (rest.length - 1) / 2;
  if (Number.isInteger(half) && rest.slice(2, half) === rest.slice(half + 3)) return [rest.slice(0, half), rest.slice(half + 1)];
  const space = rest.indexOf(' b/');
  return space >= 0 ? [rest.slice(0, space), rest.slice(space + 1)] : [rest, rest];
}

function closingQuote(s: string, open: number): number {
  for (let i = open + 1; i < s.length; i++) {
    if (s[i] === '\\') i++;
    else if (s[i] === '"') return i;
  }
  return s.length - 1;
}

/** Git's C-style quoting: octal escapes are UTF-8 bytes. */
export function unquote(s: string): string {
  if (!(s.startsWith('"') && s.endsWith('"') && s.length >= 2)) return s;
  const body = s.slice(1, -1);
  const bytes: number[] = [];
  const simple: Record<string, number> = { n: 10, t: 9, r: 13, '"': 34, '\\': 92, a: 7, b: 8, f: 12, v: 11 };
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== '\\') {
      for (const b of new TextEncoder().encode(c)) bytes.push(b);
      continue;
    }
    const next = body[i + 1] ?? '';
    if (/[0-7]/.test(next)) {
      bytes.push(parseInt(body.slice(i + 1, i + 4), 8));
      i += 3;
    } else {
      bytes.push(simple[next] ?? next.charCodeAt(0));
      i += 1;
    }
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}
