import type { Logger } from '../observability/logger';
import { ChangesetSchema, editPaths, type Changeset, type FileEdit } from './changeset';
import { sha256, isBinary } from './hash';
import { applyHunks } from './hunks';
import { countLineChanges } from './line-diff';
import { foldName } from './path-rules';
import { checkPathPolicy, type ChangeBudget, type PathPolicy } from './policy';
import { SafeFsError, type DirHandle, type EntryState, type Identity, type SafeTree } from './safe-fs';
import { violation, describeViolations, type Violation } from './violations';
import { canonicalJson } from '../db/canonical';

/** What a budget overrun asks of the waiver service. */
export type BudgetWaiverRequest = {
  rule: 'budget.files' | 'budget.lines';
  limit: number;
  actual: number;
  paths: string[];
};
export type WaiverDecision = { approved: true; waiverId: string } | { approved: false; reason?: string };
/** The only way past a budget: an approved, unexpired waiver that covers it. */
export type WaiverCheck = (request: BudgetWaiverRequest) => Promise<WaiverDecision>;

export type BudgetSettings = {
  limits: ChangeBudget;
  /** Content of a path before the task began (null when it did not exist). */
  baseline: (path: string) => Promise<Buffer | null>;
  /** Paths already changed by earlier changesets of the same task. */
  alreadyChanged: () => Promise<readonly string[]>;
};

export type ApplierHooks = {
  /** After every check passed and before the first write. */
  afterValidate?: () => void | Promise<void>;
  /** Before each file operation of the write phase (index in write order). */
  beforeOperation?: (index: number, path: string) => void | Promise<void>;
};

export type ApplierOptions = {
  tree: SafeTree;
  policy: PathPolicy;
  budget?: BudgetSettings;
  waiverCheck?: WaiverCheck;
  /** Bytes the workspace may still grow by; a changeset that would pass it is blocked. */
  maxGrowthBytes?: () => Promise<number>;
  maxEdits?: number;
  logger: Logger;
  hooks?: ApplierHooks;
};

export type FileChange = {
  path: string;
  before: Buffer | null;
  beforeMode: number;
  after: Buffer | null;
  afterId: Identity | null;
};

export type AppliedChangeset = {
  /** sha256 of the changeset's canonical JSON: the same proposal twice has the same id. */
  id: string;
  files: FileChange[];
  /** Folders created for new files, outermost first; removed again by rollback when empty. */
  createdDirs: string[];
  /** This changeset alone, against what was there before it. */
  stats: { files: number; linesAdded: number; linesRemoved: number };
  waiverIds: string[];
};

export type ApplyFailure =
  | { ok: false; kind: 'blocked'; violations: Violation[]; message: string }
  | { ok: false; kind: 'conflict'; message: string; path?: string }
  | { ok: false; kind: 'patch_failed'; message: string; path: string }
  | { ok: false; kind: 'io_error'; message: string };
export type ApplyResult = { ok: true; applied: AppliedChangeset } | ApplyFailure;

type Planned = {
  path: string;
  segments: string[];
  state: EntryState;
  before: Buffer | null;
  beforeMode: number;
  after: Buffer | null;
  afterMode: number;
};

const DEFAULT_NEW_FILE_MODE = 0o644;

/**
 * Applies changesets to a workspace all-or-nothing. Every check — path rules, scope, allow-list,
 * expected hashes, hunks, budgets, size — runs before the first byte is written; a failure while
 * writing undoes what was written, and `rollback` restores the exact prior bytes later.
 */
export class ChangesetApplier {
  constructor(private readonly options: ApplierOptions) {}

  async apply(input: unknown): Promise<ApplyResult> {
    const parsed = ChangesetSchema.safeParse(input);
    if (!parsed.success) {
      return blocked([violation('changeset.malformed', `the changeset is malformed: ${parsed.error.issues[0]?.message ?? 'invalid'}`)]);
    }
    const changeset = parsed.data;
    const id = sha256(canonicalJson(changeset));
    const checked = this.checkPaths(changeset);
    if (!checked.ok) return checked;
    let plan: Planned[];
    try {
      const loaded = await this.load(changeset, checked.paths);
      if (!loaded.ok) return loaded;
      plan = loaded.plan;
    } catch (e) {
      return failureFrom(e);
    }
    const limits = await this.checkLimits(plan);
    if (!limits.ok) return limits;
    await this.options.hooks?.afterValidate?.();
    return this.write(id, plan, limits.waiverIds);
  }

  /** Restores every file the changeset touched to its exact prior bytes and mode. */
  async rollback(applied: AppliedChangeset): Promise<{ ok: true } | ApplyFailure> {
    const { tree } = this.options;
    try {
      for (const file of [...applied.files].reverse()) {
        const segments = file.path.split('/');
        const name = segments.pop()!;
        const dir = await tree.openDir(segments, { create: file.before !== null });
        if (!dir) continue;
        try {
          const now = await tree.stat(dir, name);
          if (now.kind !== 'missing' && now.kind !== 'file') {
            throw new SafeFsError('conflict', `${file.path} is no longer a file; rollback stopped`);
          }
          if (file.before === null) {
            if (now.kind === 'file') await tree.remove(dir, name, file.path, now);
          } else {
            await tree.place(dir, name, file.path, file.before, file.beforeMode, now);
          }
        } finally {
          await dir.close();
        }
      }
      for (const rel of [...applied.createdDirs].reverse()) await tree.removeEmptyDir(rel.split('/'));
      return { ok: true };
    } catch (e) {
      return failureFrom(e);
    }
  }

  private checkPaths(changeset: Changeset): { ok: true; paths: Map<FileEdit, string[][]> } | ApplyFailure {
    const { policy } = this.options;
    const violations: Violation[] = [];
    if (changeset.edits.length === 0) return blocked([violation('changeset.empty', 'the changeset has no edits')]);
    const maxEdits = this.options.maxEdits ?? 200;
    if (changeset.edits.length > maxEdits) {
      return blocked([violation('changeset.too-large', `the changeset has ${changeset.edits.length} edits; the limit is ${maxEdits}`)]);
    }
    const seen = new Map<string, string>();
    const paths = new Map<FileEdit, string[][]>();
    for (const edit of changeset.edits) {
      const resolved: string[][] = [];
      for (const raw of editPaths(edit)) {
        const check = checkPathPolicy(raw, policy);
        if (!check.ok) {
          violations.push(check.violation);
          continue;
        }
        const key = check.segments.map(foldName).join('/');
        const prior = seen.get(key);
        if (prior !== undefined) {
          violations.push(violation('changeset.duplicate-path', `${check.path} is edited twice (also as ${prior})`, raw));
        }
        seen.set(key, check.path);
        resolved.push(check.segments);
      }
      paths.set(edit, resolved);
    }
    return violations.length > 0 ? blocked(violations) : { ok: true, paths };
  }

  /** Reads every file the changeset touches, checks expected hashes and computes the new contents. */
  private async load(changeset: Changeset, paths: Map<FileEdit, string[][]>): Promise<{ ok: true; plan: Planned[] } | ApplyFailure> {
    const plan: Planned[] = [];
    for (const edit of changeset.edits) {
      const [segments, toSegments] = paths.get(edit)!;
      const current = await this.readCurrent(segments!);
      const path = segments!.join('/');
      const mismatch = expectationMismatch(edit, path, current);
      if (mismatch) return mismatch;
      const beforeMode = current.state.kind === 'file' ? current.state.mode : DEFAULT_NEW_FILE_MODE;
      const base = { path, segments: segments!, state: current.state, before: current.data, beforeMode, afterMode: beforeMode };
      switch (edit.op) {
        case 'write': {
          const after = edit.encoding === 'base64' ? Buffer.from(edit.content, 'base64') : Buffer.from(edit.content, 'utf8');
          plan.push({ ...base, after });
          break;
        }
        case 'patch': {
          const data = current.data!;
          if (isBinary(data)) return { ok: false, kind: 'patch_failed', path, message: `${path} is binary; replace it with a write instead of a patch` };
          const result = applyHunks(data.toString('utf8'), edit.hunks);
          if (!result.ok) return { ok: false, kind: 'patch_failed', path, message: `${path}: ${result.message}` };
          plan.push({ ...base, after: Buffer.from(result.text, 'utf8') });
          break;
        }
        case 'delete':
          plan.push({ ...base, after: null });
          break;
        case 'rename': {
          const target = await this.readCurrent(toSegments!);
          const to = toSegments!.join('/');
          if (target.state.kind !== 'missing') return { ok: false, kind: 'conflict', path: to, message: `cannot rename ${path} to ${to}: ${to} already exists` };
          plan.push({ ...base, after: null });
          plan.push({ path: to, segments: toSegments!, state: target.state, before: null, beforeMode: DEFAULT_NEW_FILE_MODE, after: current.data, afterMode: beforeMode });
          break;
        }
      }
    }
    return { ok: true, plan };
  }

  private async readCurrent(segments: string[]): Promise<{ state: EntryState; data: Buffer | null }> {
    const { tree } = this.options;
    const name = segments[segments.length - 1]!;
    const rel = segments.join('/');
    const dir = await tree.openDir(segments.slice(0, -1), { create: false });
    if (!dir) return { state: { kind: 'missing' }, data: null };
    try {
      await tree.checkName(dir, name, rel);
      const state = await tree.stat(dir, name);
      if (state.kind === 'missing') return { state, data: null };
      if (state.kind === 'symlink') {
        const v = violation('path.symlink', `${rel} is a symbolic link; workers never write through links`, rel);
        throw new SafeFsError('violation', v.message, v);
      }
      if (state.kind !== 'file') {
        const v = violation('path.not-a-file', `${rel} is not a regular file`, rel);
        throw new SafeFsError('violation', v.message, v);
      }
      const read = await tree.read(dir, name, rel);
      if (!read) return { state: { kind: 'missing' }, data: null };
      return { state: read.state, data: read.data };
    } finally {
      await dir.close();
    }
  }

  private async checkLimits(plan: Planned[]): Promise<{ ok: true; waiverIds: string[] } | ApplyFailure> {
    const violations: Violation[] = [];
    const waiverIds: string[] = [];
    const { budget, waiverCheck, maxGrowthBytes } = this.options;
    if (budget) {
      const projected = new Map<string, Buffer | null>();
      for (const p of plan) projected.set(p.path, p.after);
      const changed = new Set([...(await budget.alreadyChanged()), ...projected.keys()]);
      let files = 0;
      let lines = 0;
      const paths: string[] = [];
      for (const path of changed) {
        const base = await budget.baseline(path);
        const now = projected.has(path) ? projected.get(path)! : await this.readCurrent(path.split('/')).then((c) => c.data).catch(() => null);
        if (base === null && now === null) continue;
        if (base !== null && now !== null && base.equals(now)) continue;
        const counts = countLineChanges(base, now);
        files++;
        lines += counts.added + counts.removed;
        paths.push(path);
      }
      const overruns: BudgetWaiverRequest[] = [];
      if (files > budget.limits.maxFiles) overruns.push({ rule: 'budget.files', limit: budget.limits.maxFiles, actual: files, paths });
      if (lines > budget.limits.maxLines) overruns.push({ rule: 'budget.lines', limit: budget.limits.maxLines, actual: lines, paths });
      for (const request of overruns) {
        const decision = await askWaiver(waiverCheck, request);
        if (decision.approved) waiverIds.push(decision.waiverId);
        else {
          const unit = request.rule === 'budget.files' ? 'files' : 'lines';
          violations.push(
            violation(request.rule, `the change would touch ${request.actual} ${unit}; the budget is ${request.limit} and no approved waiver covers it${decision.reason ? ` (${decision.reason})` : ''}`),
          );
        }
      }
    }
    if (maxGrowthBytes) {
      const growth = plan.reduce((sum, p) => sum + (p.after?.length ?? 0) - (p.before?.length ?? 0), 0);
      const allowed = await maxGrowthBytes();
      if (growth > allowed) {
        violations.push(violation('workspace.size', `the change adds ${growth} bytes; the workspace may grow by ${Math.max(0, allowed)} more`));
      }
    }
    return violations.length > 0 ? blocked(violations) : { ok: true, waiverIds };
  }

  private async write(id: string, plan: Planned[], waiverIds: string[]): Promise<ApplyResult> {
    const { tree, logger, hooks } = this.options;
    const done: FileChange[] = [];
    const createdDirs: string[] = [];
    try {
      for (const [index, step] of plan.entries()) {
        await hooks?.beforeOperation?.(index, step.path);
        const name = step.segments[step.segments.length - 1]!;
        const dir: DirHandle | null = await tree.openDir(step.segments.slice(0, -1), { create: step.after !== null, created: createdDirs });
        if (!dir) throw new SafeFsError('conflict', `the folder of ${step.path} disappeared while the change was being applied`);
        try {
          const expectSha = step.before ? sha256(step.before) : undefined;
          if (step.after === null) {
            await tree.remove(dir, name, step.path, step.state, expectSha);
            done.push({ path: step.path, before: step.before, beforeMode: step.beforeMode, after: null, afterId: null });
          } else {
            const afterId = await tree.place(dir, name, step.path, step.after, step.afterMode, step.state, expectSha);
            done.push({ path: step.path, before: step.before, beforeMode: step.beforeMode, after: step.after, afterId });
          }
        } finally {
          await dir.close();
        }
      }
    } catch (e) {
      const failure = failureFrom(e);
      const undo = await this.rollback({ id, files: done, createdDirs, stats: { files: 0, linesAdded: 0, linesRemoved: 0 }, waiverIds });
      if (!undo.ok) {
        logger.error({ changeset: id, failure: failure.message, rollback: undo.message }, 'changeset failed and could not be fully undone');
        return { ok: false, kind: 'io_error', message: `${failure.message}; undoing it also failed: ${undo.message}` };
      }
      return failure;
    }
    let linesAdded = 0;
    let linesRemoved = 0;
    for (const f of done) {
      const c = countLineChanges(f.before, f.after);
      linesAdded += c.added;
      linesRemoved += c.removed;
    }
    return { ok: true, applied: { id, files: done, createdDirs, stats: { files: done.length, linesAdded, linesRemoved }, waiverIds } };
  }
}

function expectationMismatch(edit: FileEdit, path: string, current: { state: EntryState; data: Buffer | null }): ApplyFailure | null {
  const actual = current.data ? sha256(current.data) : null;
  if (edit.op === 'write' && edit.expectedSha256 === null) {
    return actual === null ? null : { ok: false, kind: 'conflict', path, message: `${path} already exists, but the edit expected to create it` };
  }
  if (actual === null) return { ok: false, kind: 'conflict', path, message: `${path} does not exist, but the edit expected it to` };
  if (actual !== edit.expectedSha256) {
    return { ok: false, kind: 'conflict', path, message: `${path} changed since the edit was proposed (expected sha256 ${String(edit.expectedSha256).slice(0, 12)}…, found ${actual.slice(0, 12)}…)` };
  }
  return null;
}

async function askWaiver(check: WaiverCheck | undefined, request: BudgetWaiverRequest): Promise<WaiverDecision> {
  if (!check) return { approved: false };
  try {
    const decision = await check(request);
    // Only an explicit approval with a waiver id counts; anything else fails closed.
    return decision.approved === true && typeof decision.waiverId === 'string' && decision.waiverId.length > 0 ? decision : { approved: false, reason: decision.approved ? 'the waiver has no id' : decision.reason };
  } catch (e) {
    return { approved: false, reason: `the waiver check failed: ${e instanceof Error ? e.message : String(e)}` };
  }
}

function blocked(violations: Violation[]): ApplyFailure {
  return { ok: false, kind: 'blocked', violations, message: `blocked: ${describeViolations(violations)}` };
}

function failureFrom(e: unknown): ApplyFailure {
  if (e instanceof SafeFsError) {
    if (e.kind === 'violation' && e.violation) return blocked([e.violation]);
    if (e.kind === 'conflict') return { ok: false, kind: 'conflict', message: e.message };
  }
  return { ok: false, kind: 'io_error', message: e instanceof Error ? e.message : String(e) };
}
