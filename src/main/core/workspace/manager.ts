import { existsSync } from 'node:fs';
import { mkdir, readdir, realpath, rm, stat } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { TaskId } from '../../../shared/domain/task';
import { AppFailure } from '../../../shared/errors';
import type { Db } from '../db/open';
import type { Clock } from '../journal/journal';
import type { Logger } from '../observability/logger';
import { copyTree, SizeCapExceeded, treeSize } from './copy';
import { git, gitOk, gitText } from './git';
import { SafeTree, type SafeFsStrategy } from './safe-fs';
import { getWorkspace, listWorkspaces, setWorkspaceState, upsertWorkspace } from '../db/queries/workspaces';
import { Workspace, type WorkspaceKind, type WorkspaceRecord } from './workspace';

export const DEFAULT_WORKSPACE_CAP_BYTES = 2 * 1024 ** 3;

export type WorkspaceManagerOptions = {
  /** Folder holding every workspace (one sub-folder per task), e.g. `<data>/workspaces`. */
  root: string;
  db: Db;
  logger: Logger;
  clock: Clock;
  /** Size cap of one workspace, checked at creation and before every changeset. */
  maxBytes?: number;
  strategy?: SafeFsStrategy;
};

export const taskBranch = (taskId: string) => `agent-agency/${taskId}`;

/**
 * Creates, reopens and removes task workspaces. The user's repository is only read: a git target is
 * copied with `git clone --no-hardlinks` (nothing is written to its `.git`, unlike `git worktree add`,
 * which registers the worktree there), and the clone forgets its origin so nothing can be pushed back.
 * A plain folder is copied and given a git baseline of its own, so both kinds produce the same patch.
 */
export class WorkspaceManager {
  private readonly root: string;
  private readonly maxBytes: number;

  constructor(private readonly options: WorkspaceManagerOptions) {
    this.root = resolve(options.root);
    this.maxBytes = options.maxBytes ?? DEFAULT_WORKSPACE_CAP_BYTES;
  }

  /** Creates the task's workspace, or reopens it when it already exists (a resumed task). */
  async create(input: { taskId: string; source: string; signal?: AbortSignal }): Promise<Workspace> {
    const taskId = parseTaskId(input.taskId);
    const existing = getWorkspace(this.options.db, taskId);
    if (existing && existing.state !== 'removed' && existsSync(existing.path)) return this.wrap(existing);

    const source = await this.resolveSource(input.source);
    const kind = await detectKind(source);
    const home = this.homeOf(taskId);
    await rm(home, { recursive: true, force: true });
    await mkdir(home, { recursive: true });
    const repo = join(home, 'repo');
    const branch = taskBranch(taskId);
    try {
      const baseCommit = kind.kind === 'git' ? await this.cloneRepo(source, repo, branch, kind.head, input.signal) : await this.copyFolder(source, repo, branch, input.signal);
      const size = await treeSize(home, this.maxBytes);
      if (size > this.maxBytes) throw new SizeCapExceeded(this.maxBytes);
      const now = this.options.clock.now();
      const record: WorkspaceRecord = { taskId, path: repo, sourcePath: source, kind: kind.kind, branch, baseCommit, state: 'active', sizeBytes: size, createdAt: now, updatedAt: now };
      upsertWorkspace(this.options.db, record);
      this.options.logger.info({ taskId, kind: kind.kind, size }, 'workspace created');
      return await this.wrap(record);
    } catch (e) {
      await rm(home, { recursive: true, force: true });
      if (e instanceof SizeCapExceeded) {
        throw new AppFailure('invalid_input', `${source} is too large for a workspace: ${e.message}; raise the cap in Settings or narrow the target`);
      }
      throw e;
    }
  }

  /** The task's workspace if it still exists (after a restart, say). */
  async open(taskId: string): Promise<Workspace | null> {
    const record = getWorkspace(this.options.db, parseTaskId(taskId));
    if (!record || record.state === 'removed' || !existsSync(record.path)) return null;
    return this.wrap(record);
  }

  /** Removes the task's workspace, or with `keep` leaves it on disk for inspection. */
  async remove(taskId: string, options: { keep?: boolean } = {}): Promise<void> {
    const id = parseTaskId(taskId);
    const now = this.options.clock.now();
    if (options.keep) {
      if (getWorkspace(this.options.db, id)) setWorkspaceState(this.options.db, id, 'kept', now);
      return;
    }
    await rm(this.homeOf(id), { recursive: true, force: true });
    if (getWorkspace(this.options.db, id)) setWorkspaceState(this.options.db, id, 'removed', now);
    this.options.logger.info({ taskId: id }, 'workspace removed');
  }

  list(): WorkspaceRecord[] {
    return listWorkspaces(this.options.db);
  }

  /**
   * Startup clean-up: removes active workspaces of finished tasks and folders no record knows (left by
   * a crash during creation). Kept workspaces stay. Run before tasks resume.
   */
  async sweep(isFinished: (taskId: string) => boolean): Promise<string[]> {
    const removed: string[] = [];
    const known = new Set<string>();
    for (const w of listWorkspaces(this.options.db)) {
      known.add(w.taskId);
      if (w.state === 'active' && isFinished(w.taskId)) {
        await this.remove(w.taskId);
        removed.push(w.taskId);
      }
    }
    const entries = existsSync(this.root) ? await readdir(this.root) : [];
    for (const name of entries) {
      if (TaskId.safeParse(name).success && !known.has(name)) {
        await rm(join(this.root, name), { recursive: true, force: true });
        removed.push(name);
      }
    }
    return removed;
  }

  private homeOf(taskId: string): string {
    const home = join(this.root, taskId);
    if (!home.startsWith(`${this.root}/`)) throw new AppFailure('invalid_input', 'task id does not name a folder under the workspace root');
    return home;
  }

  private async wrap(record: WorkspaceRecord): Promise<Workspace> {
    const stagingDir = join(this.homeOf(record.taskId), 'staging');
    const tree = await SafeTree.open({ root: record.path, stagingDir, ...(this.options.strategy ? { strategy: this.options.strategy } : {}) });
    return new Workspace(record, { tree, stagingDir, logger: this.options.logger, maxBytes: this.maxBytes, baselineBytes: record.sizeBytes });
  }

  private async resolveSource(source: string): Promise<string> {
    if (!isAbsolute(source)) throw new AppFailure('invalid_input', `the target ${source} must be an absolute path`);
    const real = await realpath(source).catch(() => null);
    if (!real || !(await stat(real)).isDirectory()) throw new AppFailure('not_found', `the target folder ${source} does not exist`);
    if (real === this.root || real.startsWith(`${this.root}/`) || this.root.startsWith(`${real}/`)) {
      throw new AppFailure('invalid_input', `the target ${source} overlaps the app's workspace folder`);
    }
    return real;
  }

  private async cloneRepo(source: string, repo: string, branch: string, head: string, signal?: AbortSignal): Promise<string> {
    const objects = await gitText(['rev-parse', '--path-format=absolute', '--git-common-dir'], { cwd: source });
    const estimate = await treeSize(join(objects, 'objects'), this.maxBytes);
    if (estimate > this.maxBytes) throw new SizeCapExceeded(this.maxBytes);
    const opts = { cwd: join(repo, '..'), isolated: true, ...(signal ? { signal } : {}), timeoutMs: 30 * 60_000 };
    await gitOk(['clone', '--quiet', '--no-checkout', '--no-hardlinks', '--template=', '--', source, repo], opts);
    const inRepo = { ...opts, cwd: repo };
    await gitOk(['remote', 'remove', 'origin'], inRepo);
    await gitOk(['checkout', '--quiet', '-b', branch, head], inRepo);
    return head;
  }

  private async copyFolder(source: string, repo: string, branch: string, signal?: AbortSignal): Promise<string> {
    await copyTree(source, repo, { maxBytes: this.maxBytes, ...(signal ? { signal } : {}) });
    const opts = { cwd: repo, isolated: true, ...(signal ? { signal } : {}) };
    await gitOk(['init', '--quiet', '--template=', '-b', branch], opts);
    await gitOk(['add', '-A', '--', '.'], opts);
    await gitOk(['commit', '--quiet', '--no-verify', '--allow-empty', '-m', 'Agent Agency baseline of a plain folder'], opts);
    return gitText(['rev-parse', 'HEAD'], opts);
  }
}

type Detected = { kind: Extract<WorkspaceKind, 'git'>; head: string } | { kind: Extract<WorkspaceKind, 'copy'> };

/** A git repository's root (with at least one commit), or a plain folder; a sub-folder of a repository is refused. */
async function detectKind(source: string): Promise<Detected> {
  const top = await git(['rev-parse', '--show-toplevel'], { cwd: source });
  if (top.code !== 0) {
    const bare = await git(['rev-parse', '--is-bare-repository'], { cwd: source });
    if (bare.code === 0 && bare.stdout.toString().trim() === 'true') throw new AppFailure('invalid_input', `${source} is a bare repository; choose a checkout`);
    // A repository git refuses to read (another owner, a damaged .git) must not be copied as a plain folder.
    if (existsSync(join(source, '.git'))) {
      throw new AppFailure('invalid_input', `${source} looks like a git repository, but git cannot read it: ${top.stderr.trim().split('\n')[0] ?? 'unknown error'}`);
    }
    return { kind: 'copy' };
  }
  const toplevel = await realpath(top.stdout.toString('utf8').trim());
  if (toplevel !== source) {
    throw new AppFailure('invalid_input', `${source} is inside the git repository ${toplevel}; choose the repository's root folder as the target`);
  }
  const head = await git(['rev-parse', '--verify', '--quiet', 'HEAD^{commit}'], { cwd: source });
  if (head.code !== 0) throw new AppFailure('invalid_input', `${source} has no commits yet; commit once before running a task on it`);
  return { kind: 'git', head: head.stdout.toString('utf8').trim() };
}

function parseTaskId(taskId: string): string {
  const parsed = TaskId.safeParse(taskId);
  if (!parsed.success) throw new AppFailure('invalid_input', `not a task id: ${taskId}`);
  return parsed.data;
}

