import { normalizeScopeEntry, type WorkingSpec } from '../../../shared/domain/working-spec';

export type ScopeVerdict =
  | { inScope: true; matchedBy: 'in' | 'support'; entry: string }
  | { inScope: false; reason: 'excluded'; entry: string }
  | { inScope: false; reason: 'outside' };

/**
 * Where a changed path (relative to the workspace) stands against a spec's scope. `out` wins over
 * `in` and `support`; an entry covers the path itself and, when it names a folder, everything under it.
 */
export function classifyPath(scope: WorkingSpec['scope'], path: string): ScopeVerdict {
  const p = normalizePath(path);
  for (const raw of scope.out ?? []) {
    const entry = normalizeScopeEntry(raw);
    if (coversPrefix(entry, p)) return { inScope: false, reason: 'excluded', entry: raw };
  }
  for (const raw of scope.in) if (matches(raw, p)) return { inScope: true, matchedBy: 'in', entry: raw };
  for (const raw of scope.support ?? []) if (matches(raw, p)) return { inScope: true, matchedBy: 'support', entry: raw };
  return { inScope: false, reason: 'outside' };
}

/** A workspace path in the one form scope entries are compared against; `..` never survives. */
export function normalizePath(path: string): string {
  const parts: string[] = [];
  for (const seg of path.replace(/\\/g, '/').split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      // Climbing above the root cannot match anything inside the workspace.
      if (parts.length === 0) return '\0outside';
      parts.pop();
      continue;
    }
    parts.push(seg);
  }
  return parts.join('/');
}

function matches(rawEntry: string, path: string): boolean {
  const entry = normalizeScopeEntry(rawEntry);
  if (/[*?[\]{}]/.test(entry)) return globToRegExp(entry).test(path);
  return coversPrefix(entry, path);
}

function coversPrefix(entry: string, path: string): boolean {
  if (entry === '' || entry === '.') return true;
  return path === entry || path.startsWith(`${entry}/`);
}

const cache = new Map<string, RegExp>();

/** `**` crosses folders, `*` and `?` do not, `{a,b}` alternates, `[abc]` is a class. */
export function globToRegExp(glob: string): RegExp {
  const hit = cache.get(glob);
  if (hit) return hit;
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') {
      if (glob[i + 1] === '*') {
        i++;
        if (glob[i + 1] === '/') {
          i++;
          re += '(?:.*/)?';
        } else re += '.*';
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '{') {
      const close = glob.indexOf('}', i);
      if (close < 0) re += '\\{';
      else {
        re += `(?:${glob
          .slice(i + 1, close)
          .split(',')
          .map(escape)
          .join('|')})`;
        i = close;
      }
    } else if (c === '[') {
      const close = glob.indexOf(']', i);
      if (close < 0) re += '\\[';
      else {
        re += `[${glob.slice(i + 1, close).replace(/\\/g, '\\\\')}]`;
        i = close;
      }
    } else re += escape(c);
  }
  // A glob naming a folder (`src/*`) also covers what is inside the folders it matches.
  const compiled = new RegExp(`^${re}(?:/.*)?$`);
  cache.set(glob, compiled);
  return compiled;
}

function escape(s: string): string {
  return s.replace(/[.+^${}()|[\]\\]/g, '\\$&');
}
