import { violation, type Violation } from './violations';

/**
 * Lexical rules for a path proposed by a model, checked before the file system is looked at.
 * They are deliberately strict: a legitimate source file never needs `..`, a backslash, an invisible
 * Unicode character or a name that some file system folds into `.git`, and each of those is a known
 * way to write somewhere else than the path seems to say (CVE-2014-9390 and its relatives).
 */

export type PathLimits = {
  /** Bytes of one name in UTF-8; 255 is the limit of APFS, ext4 and most others. */
  maxSegmentBytes: number;
  /** Bytes of the whole relative path; macOS PATH_MAX is 1024 for the absolute path. */
  maxPathBytes: number;
  maxDepth: number;
};

export const DEFAULT_PATH_LIMITS: PathLimits = { maxSegmentBytes: 255, maxPathBytes: 900, maxDepth: 48 };

export type PathSyntax = { ok: true; path: string; segments: string[] } | { ok: false; violation: Violation };

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/u;
/** Format characters (zero-width, bidi controls, BOM, soft hyphen), private use, surrogates, unassigned. */
const INVISIBLE = /[\p{Cf}\p{Co}\p{Cs}\p{Cn}]/u;
/** Characters that look like a slash but are not one, and survive NFKC. */
const LOOKALIKE_SLASH = /[\u2215\u2044\u29f8\u29f9\u2571\u2572\u3033\u3035]/u;
/** Unsafe in a name on at least one platform the app runs on or shares repositories with. */
const UNSAFE_IN_NAME = /[:*?"<>|]/;
const RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$)(\..*)?$/i;

const utf8Length = (s: string) => Buffer.byteLength(s, 'utf8');

/** How a name looks to the most forgiving file system the repository might be checked out on. */
export function foldName(name: string): string {
  return name
    .normalize('NFKC')
    .replace(/[\p{Cf}]/gu, '')
    .toLowerCase()
    .replace(/[. ]+$/, '');
}

function isGitInternal(name: string): boolean {
  const folded = foldName(name);
  // `git~1` is the 8.3 short name NTFS gives `.git`.
  return folded === '.git' || folded === 'git~1';
}

export function checkPathSyntax(raw: unknown, limits: PathLimits = DEFAULT_PATH_LIMITS): PathSyntax {
  if (typeof raw !== 'string' || raw.length === 0) {
    return fail('path.empty', 'the path is empty', typeof raw === 'string' ? raw : '');
  }
  const shown = raw;
  if (CONTROL.test(raw)) return fail('path.unsafe-character', 'the path contains a control character or NUL', shown);
  if (raw.startsWith('/') || raw.startsWith('~') || /^[A-Za-z]:/.test(raw) || raw.startsWith('\\')) {
    return fail('path.absolute', `"${raw}" is absolute; paths must be relative to the workspace`, shown);
  }
  if (raw.includes('\\')) return fail('path.unsafe-character', 'the path contains a backslash, which some systems read as a separator', shown);
  if (INVISIBLE.test(raw)) {
    return fail('path.unicode', 'the path contains an invisible, bidirectional-control or unassigned Unicode character', shown);
  }
  if (raw.normalize('NFC') !== raw) {
    return fail('path.unicode', 'the path is not in Unicode normal form C; a file system may fold it into another name', shown);
  }
  if (LOOKALIKE_SLASH.test(raw)) return fail('path.unicode', 'the path contains a character that looks like a slash', shown);
  if (raw.endsWith('/')) return fail('path.not-a-file', 'the path names a folder, not a file', shown);

  const segments: string[] = [];
  for (const segment of raw.split('/')) {
    // `a//b` and `./a` resolve to `a/b` and `a`: harmless, so normalized rather than refused.
    if (segment === '' || segment === '.') continue;
    if (segment === '..') return fail('path.traversal', `"${raw}" climbs out with ..`, shown);
    const nfkc = segment.normalize('NFKC');
    if (nfkc.includes('/') || nfkc.includes('\\') || /^[.\s]+$/u.test(nfkc)) {
      return fail('path.unicode', `"${segment}" is a look-alike of a separator or of . and ..`, shown);
    }
    if (isGitInternal(segment)) return fail('path.git-internal', `"${raw}" is inside .git, which only git may change`, shown);
    if (UNSAFE_IN_NAME.test(segment)) return fail('path.unsafe-character', `"${segment}" contains one of : * ? " < > |`, shown);
    if (/^\s|[\s.]$/u.test(segment)) {
      return fail('path.unsafe-character', `"${segment}" starts with a space or ends with a space or dot, which some file systems drop`, shown);
    }
    if (RESERVED.test(segment)) return fail('path.reserved-name', `"${segment}" is a reserved device name`, shown);
    if (utf8Length(segment) > limits.maxSegmentBytes) {
      return fail('path.too-long', `a name is ${utf8Length(segment)} bytes; the limit is ${limits.maxSegmentBytes}`, shown);
    }
    segments.push(segment);
  }
  if (segments.length === 0) return fail('path.empty', 'the path names the workspace itself', shown);
  if (segments.length > limits.maxDepth) {
    return fail('path.too-long', `the path is ${segments.length} folders deep; the limit is ${limits.maxDepth}`, shown);
  }
  const path = segments.join('/');
  if (utf8Length(path) > limits.maxPathBytes) {
    return fail('path.too-long', `the path is ${utf8Length(path)} bytes; the limit is ${limits.maxPathBytes}`, shown);
  }
  return { ok: true, path, segments };
}

function fail(rule: Violation['rule'], message: string, path: string): PathSyntax {
  return { ok: false, violation: violation(rule, message, path) };
}
