import { readFile, realpath } from 'node:fs/promises';
import { realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { AppFailure } from '../../../shared/errors';
import type { TargetView } from './step';

/**
 * The real location of `path`: symbolic links in its existing part resolved, so a link inside the
 * workspace that points into the target repository is still recognised as the target.
 */
export function realPathOf(path: string): string {
  const missing: string[] = [];
  let current = resolve(path);
  for (;;) {
    try {
      return join(realpathSync(current), ...missing.reverse());
    } catch {
      const parent = dirname(current);
      if (parent === current) return resolve(path);
      missing.push(basename(current));
      current = parent;
    }
  }
}

export function isInside(child: string, parent: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/**
 * The engine's guard on the user's repository. In dry-run the target is read-only, whatever a
 * step tries: every write a step makes must pass this guard first.
 */
export function makeWriteGuard(targetPath: string, dryRun: boolean): (path: string) => string {
  const target = realPathOf(targetPath);
  return (path: string) => {
    if (!isAbsolute(path)) {
      throw new AppFailure('invalid_input', `write path must be absolute: ${path}`);
    }
    const real = realPathOf(path);
    if (dryRun && isInside(real, target)) {
      throw new AppFailure('forbidden', `dry-run: the target repository is read-only; refused to write ${real}`);
    }
    return real;
  };
}

/** Read-only access to the target; paths are relative to it and may not leave it. */
export function makeTargetView(targetPath: string, dryRun: boolean): TargetView {
  return {
    path: targetPath,
    readOnly: dryRun,
    async readFile(relativePath: string) {
      const full = resolve(targetPath, relativePath);
      const real = await realpath(full);
      if (!isInside(real, await realpath(targetPath))) {
        throw new AppFailure('forbidden', `${relativePath} lies outside the target repository`);
      }
      return readFile(real);
    },
  };
}
