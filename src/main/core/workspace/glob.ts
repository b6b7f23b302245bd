/**
 * Glob matching for scope and allow-list entries, written here rather than pulled in so that the
 * semantics the safety rules depend on are fixed and tested in one place:
 * `*` and `?` stay inside one path segment, `**` as a whole segment spans any number of segments,
 * `[abc]`, `[!a-z]` and `{a,b}` work as in a shell. Paths are always `/`-separated and relative.
 */

const GLOB_CHARS = /[*?[\]{}]/;

export function isGlob(pattern: string): boolean {
  return GLOB_CHARS.test(pattern);
}

const cache = new Map<string, RegExp>();

export function globToRegExp(pattern: string, options: { caseInsensitive?: boolean } = {}): RegExp {
  const key = `${options.caseInsensitive ? 'i' : 's'}:${pattern}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const source = `^${translate(pattern)}$`;
  const re = new RegExp(source, options.caseInsensitive ? 'iu' : 'u');
  if (cache.size > 2000) cache.clear();
  cache.set(key, re);
  return re;
}

export function matchesGlob(path: string, pattern: string, options: { caseInsensitive?: boolean } = {}): boolean {
  return globToRegExp(pattern, options).test(path);
}

function escapeChar(c: string): string {
  return /[\\^$.*+?()[\]{}|/-]/.test(c) ? `\\${c}` : c;
}

function translate(pattern: string): string {
  const segments = pattern.split('/');
  let out = '';
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i]!;
    const last = i === segments.length - 1;
    if (seg === '**') {
      // `a/**` matches everything below a; `**/b` and `a/**/b` match zero or more directories.
      out += last ? (i === 0 ? '.*' : '(?:/.*)?') : i === 0 ? '(?:[^/]+/)*' : '(?:/[^/]+)*/';
      continue;
    }
    if (i > 0 && segments[i - 1] !== '**') out += '/';
    out += translateSegment(seg);
  }
  return out;
}

function translateSegment(seg: string): string {
  let out = '';
  let i = 0;
  while (i < seg.length) {
    const c = seg[i]!;
    if (c === '*') {
      while (seg[i] === '*') i++;
      out += '[^/]*';
      continue;
    }
    if (c === '?') {
      out += '[^/]';
      i++;
      continue;
    }
    if (c === '[') {
      const close = seg.indexOf(']', i + 2);
      if (close === -1) {
        out += '\\[';
        i++;
        continue;
      }
      let body = seg.slice(i + 1, close);
      const negate = body.startsWith('!') || body.startsWith('^');
      if (negate) body = body.slice(1);
      const safe = body.replace(/[\\\]^/]/g, (m) => `\\${m}`);
      out += negate ? `[^${safe}/]` : `[${safe}]`;
      i = close + 1;
      continue;
    }
    if (c === '{') {
      const close = matchingBrace(seg, i);
      if (close === -1) {
        out += '\\{';
        i++;
        continue;
      }
      const alternatives = splitTopLevel(seg.slice(i + 1, close));
      out += `(?:${alternatives.map(translateSegment).join('|')})`;
      i = close + 1;
      continue;
    }
    out += escapeChar(c);
    i++;
  }
  return out;
}

function matchingBrace(s: string, open: number): number {
  let depth = 0;
  for (let i = open; i < s.length; i++) {
    if (s[i] === '{') depth++;
    else if (s[i] === '}') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

function splitTopLevel(s: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '{') depth++;
    else if (s[i] === '}') depth--;
    else if (s[i] === ',' && depth === 0) {
      parts.push(s.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(s.slice(start));
  return parts;
}

/**
 * Whether `path` falls under a scope entry: a plain entry names a file or a folder and everything in
 * it (`src/auth` covers `src/auth/login.ts`); an entry with glob characters is matched as a glob.
 */
export function underEntry(path: string, entry: string, options: { caseInsensitive?: boolean } = {}): boolean {
  const clean = entry
    .trim()
    .replace(/\\/g, '/')
    .replace(/^(\.\/)+/, '')
    .replace(/\/+$/, '');
  if (clean === '' || clean === '.') return true;
  if (isGlob(clean)) {
    // A glob naming a folder (`src/*`) also covers what is inside it.
    return matchesGlob(path, clean, options) || matchesGlob(path, `${clean}/**`, options);
  }
  const a = options.caseInsensitive ? path.toLowerCase() : path;
  const b = options.caseInsensitive ? clean.toLowerCase() : clean;
  return a === b || a.startsWith(`${b}/`);
}
