import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { WorkspaceRecord } from '../db/queries/workspaces';
import type { Logger } from '../observability/logger';
import { ChangesetApplier, type AppliedChangeset, type ApplierHooks, type ApplyResult, type WaiverCheck } from './applier';
import { git, gitOk, splitZ } from './git';
import { sha256 } from './hash';
import { checkPathSyntax } from './path-rules';
import type { ChangeBudget, PathPolicy } from './policy';
import { SafeFsError, type SafeTree } from './safe-fs';

// The record types live with the `workspaces` table's queries, the bottom of the core.
export type { WorkspaceKind, WorkspaceRecord } from '../db/queries/workspaces';

export type ChangedFile = {
  path: string;
  status: 'added' | 'modified' | 'deleted';
  linesAdded: number;
  linesRemoved: number;
  binary: boolean;
};

export type WorkspacePatch = {
  /** `git diff --binary --full-index` of the whole change against the base commit; '' when nothing changed. */
  patch: string;
  sha256: string;
  baseCommit: string;
  files: ChangedFile[];
};

export type ApplySettings = {
  policy: PathPolicy;
  budget?: ChangeBudget;
  waiverCheck?: WaiverCheck;
  hooks?: ApplierHooks;
};

export type WorkspaceDeps = {
  tree: SafeTree;
  stagingDir: string;
  logger: Logger;
  maxBytes: number;
  /** Size when created; growth from changesets is counted against `maxBytes` from here. */
  baselineBytes: number;
};

/**
 * One task's private copy of the target. Changes go through `apply` (all-or-nothing, checked) and come
 * out through `patch` (the exact diff against the base commit). Git is run isolated from the user's
 * configuration here: the workspace is the app's own.
 */
export class Workspace {
  private growth = 0;

  constructor(
    readonly record: WorkspaceRecord,
    private readonly deps: WorkspaceDeps,
  ) {}

  get taskId(): string {
    return this.record.taskId;
  }
  get dir(): string {
    return this.record.path;
  }
  get baseCommit(): string {
    return this.record.baseCommit;
  }

  async apply(changeset: unknown, settings: ApplySettings): Promise<ApplyResult> {
    const applier = this.applier(settings);
    const result = await applier.apply(changeset);
    if (result.ok) this.growth += growthOf(result.applied);
    return result;
  }

  async rollback(applied: AppliedChangeset): Promise<ApplyResult | { ok: true }> {
    const result = await this.applier({ policy: { scope: { in: ['.'] }, allow: ['**'] } }).rollback(applied);
    if (result.ok) this.growth -= growthOf(applied);
    return result;
  }

  private applier(settings: ApplySettings): ChangesetApplier {
    return new ChangesetApplier({
      tree: this.deps.tree,
      policy: settings.policy,
      logger: this.deps.logger,
      ...(settings.waiverCheck ? { waiverCheck: settings.waiverCheck } : {}),
      ...(settings.hooks ? { hooks: settings.hooks } : {}),
      ...(settings.budget
        ? {
            budget: {
              limits: settings.budget,
              baseline: (path: string) => this.baseline(path),
              alreadyChanged: async () => (await this.changes()).map((f) => f.path),
            },
          }
        : {}),
      maxGrowthBytes: async () => this.deps.maxBytes - this.deps.baselineBytes - this.growth,
    });
  }

  /** Content of `path` at the base commit, or null when it did not exist there. */
  async baseline(path: string): Promise<Buffer | null> {
    const result = await git(['cat-file', 'blob', `${this.record.baseCommit}:${path}`], { cwd: this.dir, isolated: true });
    return result.code === 0 ? result.stdout : null;
  }

  /** Reads a file of the workspace (never through a link); null when missing or not readable safely. */
  async readFile(path: string): Promise<{ data: Buffer; sha256: string } | null> {
    const syntax = checkPathSyntax(path);
    if (!syntax.ok) return null;
    const { tree } = this.deps;
    const dir = await tree.openDir(syntax.segments.slice(0, -1), { create: false }).catch(() => null);
    if (!dir) return null;
    try {
      const read = await tree.read(dir, syntax.segments[syntax.segments.length - 1]!, syntax.path);
      return read ? { data: read.data, sha256: sha256(read.data) } : null;
    } catch (e) {
      if (e instanceof SafeFsError) return null;
      throw e;
    } finally {
      await dir.close();
    }
  }

  /** Tracked and untracked (not ignored) files, as the worker may see them. */
  async listFiles(): Promise<string[]> {
    const out = await gitOk(['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: this.dir, isolated: true });
    return [...new Set(splitZ(out))].sort();
  }

  /** Every file that differs from the base commit, with line counts. */
  async changes(): Promise<ChangedFile[]> {
    return this.withStagedIndex(async (env) => {
      const numstat = splitZ(await gitOk(['diff', '--cached', '--numstat', '-z', '--no-renames', this.baseCommit], { cwd: this.dir, isolated: true, env }));
      const status = splitZ(await gitOk(['diff', '--cached', '--name-status', '-z', '--no-renames', this.baseCommit], { cwd: this.dir, isolated: true, env }));
      const kinds = new Map<string, ChangedFile['status']>();
      for (let i = 0; i + 1 < status.length; i += 2) {
        const letter = status[i]!;
        kinds.set(status[i + 1]!, letter === 'A' ? 'added' : letter === 'D' ? 'deleted' : 'modified');
      }
      return numstat.map((line) => {
        const [added, removed, ...rest] = line.split('\t');
        const path = rest.join('\t');
        const binary = added === '-';
        return {
          path,
          status: kinds.get(path) ?? 'modified',
          linesAdded: binary ? 0 : Number(added),
          linesRemoved: binary ? 0 : Number(removed),
          binary,
        };
      });
    });
  }

  /** The whole change as one patch that `git apply` takes, with its sha256. */
  async patch(): Promise<WorkspacePatch> {
    const files = await this.changes();
    const patch = await this.withStagedIndex(async (env) =>
      (
        await gitOk(
          ['diff', '--cached', '--binary', '--full-index', '--no-color', '--no-ext-diff', '--no-textconv', '--no-renames', '--src-prefix=a/', '--dst-prefix=b/', this.baseCommit],
          { cwd: this.dir, isolated: true, env },
        )
      ).toString('utf8'),
    );
    return { patch, sha256: sha256(patch), baseCommit: this.baseCommit, files };
  }

  /** A throwaway index holding the workspace as it is now, so the workspace's own index is never disturbed. */
  private async withStagedIndex<T>(work: (env: Record<string, string>) => Promise<T>): Promise<T> {
    const index = join(this.deps.stagingDir, `index-${randomBytes(6).toString('hex')}`);
    const env = { GIT_INDEX_FILE: index };
    try {
      await gitOk(['read-tree', this.baseCommit], { cwd: this.dir, isolated: true, env });
      await gitOk(['add', '-A', '--', '.'], { cwd: this.dir, isolated: true, env });
      return await work(env);
    } finally {
      await rm(index, { force: true });
      await rm(`${index}.lock`, { force: true });
    }
  }
}

function growthOf(applied: AppliedChangeset): number {
  return applied.files.reduce((sum, f) => sum + (f.after?.length ?? 0) - (f.before?.length ?? 0), 0);
}
