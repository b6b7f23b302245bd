import { posix } from 'node:path';

const CODE_EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs', '.py'];

/**
 * The repository file an import specifier names, or null for packages and unknown files:
 * relative JS/TS paths (with or without extension, `.js` written for a `.ts` file, `index.*`),
 * relative Python modules (`.b`, `..pkg.mod`) and absolute Python modules found in the tree.
 */
export function resolveImport(from: string, spec: string, paths: ReadonlySet<string>): string | null {
  const dir = posix.dirname(from);
  if (from.endsWith('.py')) {
    const dots = /^\.*/.exec(spec)![0].length;
    const rest = spec.slice(dots).replace(/\./g, '/');
    let base = dots === 0 ? rest : dir;
    for (let i = 1; i < dots; i++) base = posix.dirname(base);
    const target = dots === 0 ? rest : posix.join(base, rest);
    for (const candidate of [`${target}.py`, `${target}/__init__.py`]) if (paths.has(posix.normalize(candidate))) return posix.normalize(candidate);
    return null;
  }
  if (!spec.startsWith('.')) return null;
  const target = posix.normalize(posix.join(dir, spec));
  if (target.startsWith('..')) return null;
  const stem = target.replace(/\.(js|jsx|mjs|cjs)$/, '');
  const candidates = [target, ...CODE_EXTENSIONS.map((e) => stem + e), ...CODE_EXTENSIONS.map((e) => `${target}/index${e}`)];
  for (const c of candidates) if (paths.has(c)) return c;
  return null;
}
