import { realpath, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ToolAccess } from '../../../shared/channels/tools';
import { underEntry } from '../workspace/glob';
import { checkPathSyntax } from '../workspace/path-rules';
import { checkPathPolicy, type PathPolicy } from '../workspace/policy';

export type PathDecision = { ok: true; path: string } | { ok: false; reason: string };

/**
 * Checks one path a tool call names, before the call: `ok` carries the resolved absolute path.
 * Injected into the gateway so the workspace's own rules decide.
 */
export type CheckPath = (taskId: string, path: string, access: ToolAccess) => Promise<PathDecision>;

export type WorkspacePathGuardOptions = {
  /** The task's workspace folder (its checkout), or null when it has none. */
  workspaceRoot(taskId: string): string | null | Promise<string | null>;
  /**
   * The task's path policy (spec scope, allow- and deny-list). Writes must pass all of it; reads
   * must stay clear of the deny-list and scope.out. Undefined (no spec yet) refuses every write;
   * leaving the option out altogether refuses every write as well — nothing fails open.
   */
  writePolicy?(taskId: string): PathPolicy | undefined | Promise<PathPolicy | undefined>;
  /**
   * The app's data folder (database, signing keys, other tasks' workspaces): never reachable,
   * except the task's own workspace when that lives inside it.
   */
  dataDir?: string | undefined;
  /** The file system's view (tests stand in a case-insensitive disk); node:fs by default. */
  fileSystem?: GuardFileSystem;
};

export type GuardFileSystem = { realpath(p: string): Promise<string>; stat(p: string): Promise<{ dev: number; ino: number }> };

const nodeFileSystem: GuardFileSystem = { realpath: (p) => realpath(p), stat: (p) => stat(p) };

type Identity = { dev: number; ino: number };

/**
 * The workspace allow-list applied to tool arguments. A path is resolved the way the file system
 * will: `..`, every symbolic link that exists (realpath of the nearest existing ancestor), and
 * which folder it really is — compared by device and inode, not by spelling, so `/Users/A/WS` on
 * a case-insensitive disk is the workspace and a second name for the data folder is the data
 * folder. It must then be inside the task's workspace, not inside the data folder (unless the
 * workspace is), pass the workspace's path rules (no `.git`, no look-alike separators…), and the
 * task's policy: deny-list and scope.out for every access, scope and allow-list for writes.
 * Relative paths are taken from the workspace root.
 */
export function workspacePathGuard(options: WorkspacePathGuardOptions): CheckPath {
  const fs = options.fileSystem ?? nodeFileSystem;
  return async (taskId, raw, access) => {
    const root = await options.workspaceRoot(taskId);
    if (!root) return { ok: false, reason: 'the task has no workspace, so its tools may not name files' };
    let candidate: string;
    try {
      candidate = toFsPath(raw);
    } catch (e) {
      return { ok: false, reason: e instanceof Error ? e.message : String(e) };
    }
    const realRoot = await fs.realpath(root).catch(() => null);
    const rootId = realRoot ? await identity(fs, realRoot) : null;
    if (!realRoot || !rootId) return { ok: false, reason: 'the task workspace does not exist' };
    const dataId = options.dataDir ? await identity(fs, options.dataDir) : null;

    const absolute = isAbsolute(candidate) ? resolve(candidate) : resolve(realRoot, candidate);
    const { existing, rest } = await nearestExisting(fs, absolute);
    const place = await locate(fs, existing, rootId, dataId);
    if (place.kind === 'outside') return { ok: false, reason: `${raw} is outside the task workspace` };
    if (place.kind === 'data') return { ok: false, reason: `${raw} is inside the app's data folder, which tools may never reach` };
    const real = rest.length ? resolve(existing, ...rest) : existing;
    const segments = [...place.segments, ...rest];
    if (segments.length === 0) {
      return access === 'read' ? { ok: true, path: real } : { ok: false, reason: 'a tool may not write the workspace folder itself' };
    }
    const posix = segments.join('/');
    const syntax = checkPathSyntax(posix);
    if (!syntax.ok) return { ok: false, reason: syntax.violation.message };

    let policy: PathPolicy | undefined;
    try {
      policy = await options.writePolicy?.(taskId);
    } catch (e) {
      return { ok: false, reason: `the task's path policy could not be read: ${e instanceof Error ? e.message : String(e)}` };
    }
    if (access === 'write') {
      if (!policy) return { ok: false, reason: 'the task has no working spec yet, so its tools may not write' };
      const check = checkPathPolicy(posix, policy);
      if (!check.ok) return { ok: false, reason: check.violation.message };
    } else if (policy) {
      const barred = readBarrier(posix, policy);
      if (barred) return { ok: false, reason: barred };
    }
    return { ok: true, path: real };
  };
}

/** What a read must stay clear of: the deny-list and scope.out, compared without regard to case. */
function readBarrier(path: string, policy: PathPolicy): string | null {
  const ci = { caseInsensitive: true };
  const denied = policy.deny?.find((entry) => underEntry(path, entry, ci));
  if (denied !== undefined) return `${path} matches the deny-list entry "${denied}"`;
  const out = policy.scope.out?.find((entry) => underEntry(path, entry, ci));
  if (out !== undefined) return `${path} is excluded by scope.out "${out}"`;
  return null;
}

function toFsPath(raw: string): string {
  if (raw.includes('\0')) throw new Error('the path contains a NUL byte');
  if (/^file:\/\//i.test(raw)) return fileURLToPath(raw);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) throw new Error(`${raw} is a URL, not a file path`);
  // The server's shell-like expansion of ~ would point at the user's home: outside by definition.
  if (raw.startsWith('~')) throw new Error(`${raw} points into the home folder, outside the task workspace`);
  return raw;
}

async function identity(fs: GuardFileSystem, p: string): Promise<Identity | null> {
  try {
    const s = await fs.stat(p);
    return { dev: s.dev, ino: s.ino };
  } catch {
    return null;
  }
}

const same = (a: Identity, b: Identity | null) => b !== null && a.dev === b.dev && a.ino === b.ino;

/**
 * The deepest part of `p` that exists, resolved through its links, and the names after it (a file
 * about to be created does not exist yet, its folder does).
 */
async function nearestExisting(fs: GuardFileSystem, p: string): Promise<{ existing: string; rest: string[] }> {
  const rest: string[] = [];
  let current = p;
  for (;;) {
    try {
      return { existing: await fs.realpath(current), rest: rest.reverse() };
    } catch {
      const parent = dirname(current);
      if (parent === current) return { existing: current, rest: rest.reverse() };
      rest.push(basename(current));
      current = parent;
    }
  }
}

type Place = { kind: 'workspace'; segments: string[] } | { kind: 'outside' } | { kind: 'data' };

/**
 * Walks from a real, existing path up to `/`, asking each folder whether it is the workspace or
 * the data folder. Inside the workspace means the workspace is met; the data folder met before it
 * (between the file and the workspace) or as the workspace itself means the data folder.
 */
async function locate(fs: GuardFileSystem, existing: string, root: Identity, data: Identity | null): Promise<Place> {
  const names: string[] = [];
  let current = existing;
  for (;;) {
    const id = await identity(fs, current);
    if (id && same(id, data)) return { kind: 'data' };
    if (id && same(id, root)) return { kind: 'workspace', segments: names.reverse() };
    const parent = dirname(current);
    if (parent === current) return { kind: 'outside' };
    names.push(basename(current));
    current = parent;
  }
}
