import { existsSync, realpathSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, isAbsolute, join, relative, resolve } from 'node:path';
import { z } from 'zod';
import { AppFailure } from '../../../shared/errors';

export type TargetRules = {
  /** Folders tasks may target (the repository must lie inside one). */
  allowedRoots: readonly string[];
  /** The app's own data folder: never a target, nor anything inside or around it. */
  dataDir?: string | undefined;
  /** False only when the task explicitly accepts a folder that is not a git repository. */
  requireGit: boolean;
};

/** Folders that are never a target, on any platform, with everything inside them. */
const SYSTEM_TREES = [
  '/bin', '/boot', '/dev', '/etc', '/lib', '/lib32', '/lib64', '/libx32', '/proc', '/run', '/sbin', '/sys', '/usr',
  '/var/lib', '/var/log', '/var/cache', '/var/spool', '/var/run', '/var/db', '/private/var/db', '/private/var/log',
  '/System', '/Library', '/Applications', '/private/etc', '/cores', '/Volumes/Recovery',
  'C:\\Windows', 'C:\\Program Files', 'C:\\Program Files (x86)', 'C:\\ProgramData',
];
/** Folders that are never a target themselves (their subfolders may be, inside an allowed root). */
const SYSTEM_EXACT = ['/', '/var', '/private/var', '/var/tmp', '/home', '/Users', '/opt', '/srv', '/mnt', '/media', '/tmp', '/private', '/private/tmp', '/Volumes', 'C:\\', 'C:\\Users'];

const within = (child: string, parent: string) => {
  const rel = relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
};
const real = (p: string) => {
  try {
    return realpathSync(p);
  } catch {
    return resolve(p);
  }
};

const fail = (message: string): never => {
  throw new AppFailure('invalid_input', `repoPath: ${message}`, [{ path: 'repoPath', message }]);
};

/**
 * The target repository a task may have: an existing folder inside the allowed roots, never `/`,
 * a system folder, a home folder itself or the app's data folder, and a git repository's root
 * unless the task explicitly says otherwise. Throws `invalid_input` naming `repoPath`; returns the
 * resolved path (symbolic links followed, so a link cannot smuggle a forbidden folder in).
 */
export function validateTargetRepo(path: string, rules: TargetRules): string {
  if (!isAbsolute(path)) fail('must be an absolute path');
  const isDir = (() => {
    try {
      return statSync(path).isDirectory();
    } catch {
      return false;
    }
  })();
  if (!isDir) fail(`${resolve(path)} is not an existing folder`);
  const full = real(path);
  if (SYSTEM_EXACT.includes(full) || SYSTEM_TREES.some((t) => within(full, t))) fail(`${full} is a system folder; choose a project folder`);
  if (full === real(homedir())) fail(`${full} is your whole home folder; choose a project folder inside it`);
  if (rules.dataDir) {
    const data = real(rules.dataDir);
    if (within(full, data) || within(data, full)) fail(`${full} holds or lies in the app's own data folder (${data})`);
  }
  const roots = rules.allowedRoots.map(real);
  if (!roots.some((root) => within(full, root))) fail(`${full} is outside the folders tasks may target (${roots.join(', ') || 'none'}); add its folder under Settings → Allowed folders`);
  if (rules.requireGit && !existsSync(join(full, '.git'))) fail(`${full} is not the root of a git repository (choose the repository's top folder, or submit with allowNonGit to work on a plain folder)`);
  return full;
}

const Roots = z.array(z.string().min(1).refine((p) => isAbsolute(p))).min(1);

/**
 * Allowed roots when Settings names none: AGENT_AGENCY_ALLOWED_ROOTS (path-list, for tests and
 * managed installs), else the user's home folder.
 */
export function defaultAllowedRoots(env: NodeJS.ProcessEnv = process.env): string[] {
  const fromEnv = env['AGENT_AGENCY_ALLOWED_ROOTS'];
  if (fromEnv) {
    const parsed = Roots.safeParse(fromEnv.split(delimiter).filter(Boolean));
    if (parsed.success) return parsed.data;
  }
  return [homedir()];
}

/** `allowedRoots` from the stored settings JSON, when it holds a valid list. */
export function allowedRootsFromSettings(stored: string | undefined): string[] | undefined {
  if (!stored) return undefined;
  try {
    const parsed = Roots.safeParse((JSON.parse(stored) as { allowedRoots?: unknown }).allowedRoots);
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
