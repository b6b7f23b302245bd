import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Task } from '../../../shared/domain/task';
import { AppFailure } from '../../../shared/errors';
import type { ApplyMode, ChangeApplier } from '../apply/apply-change';
import { keepDryRunPatch } from '../apply/dry-run';
import { executionStanding } from '../claims/ledger';
import type { ClaimRecords } from '../claims/records';
import type { KnowledgeLookup } from '../claims/types';
import type { Db } from '../db/open';
import { StepFailure } from '../engine/errors';
import type { AwaitApproval, StepContext, WorkOutcome } from '../engine/step';
import { insertGateResults } from '../db/queries/gate-results';
import { recordingGates } from '../gates/recording';
import type { GateRunner } from '../gates/types';
import type { ChangeUnderReview } from '../governance-steps/steps';
import type { Clock } from '../journal/journal';
import type { ModelClient } from '../models/types';
import { toAwaitApproval } from '../tools/engine-approval';
import type { FileRetrieval } from '../retrieval/service';
import type { ToolsService } from '../tools/service';
import type { WaiverCheck } from '../workspace/applier';
import { git } from '../workspace/git';
import { taskBranch, type WorkspaceManager } from '../workspace/manager';
import type { ChangeBudget } from '../workspace/policy';
import { performApprovedToolCalls } from './approved-tool-calls';
import { AgentLoop, type LoopLimits, type LoopResult, type LoopSpec } from './loop';

/** What the worker steps use of the engine's step context (a plain object in tests). */
export type WorkerStepContext = Pick<
  StepContext,
  'taskId' | 'task' | 'mode' | 'round' | 'attempt' | 'signal' | 'guidance' | 'takeGuidance' | 'approvals' | 'writeGuard' | 'journalEffect' | 'emit' | 'progress' | 'logger'
>;

export type WorkerStepsDeps = {
  workspaces: WorkspaceManager;
  db: Db;
  clock: Clock;
  /** The worker role's model. */
  model: ModelClient;
  /** The task's working spec as the loop needs it (parsed from `task.spec`), or null without one. */
  specOf(task: Task): LoopSpec | null;
  gatesFor(task: Task, spec: LoopSpec): GateRunner;
  /** The tier's change budget. */
  budgetFor(task: Task): ChangeBudget;
  waiverCheckFor?(task: Task, spec: LoopSpec): WaiverCheck;
  /** Allow-list and deny-list of paths workers may write (default: everything the scope allows). */
  allow?: readonly string[];
  deny?: readonly string[];
  applier: ChangeApplier;
  /** The council's decision as the commit trailer should read, e.g. `accept (score 0.82)`. */
  verdictOf(taskId: string): string;
  applyMode?: ApplyMode;
  /** Keep workspaces after apply for inspection. */
  keepWorkspaces?: boolean;
  limits?: Partial<LoopLimits>;
  promptBudgetTokens?: number;
  /**
   * MCP tools the worker's model may call (governed by the tool layer). An `ask` tool makes the
   * execute step return `awaitApproval`; approval runs it again, and it makes the approved call.
   */
  tools?: ToolsService;
  /** The retrieval service: the files it ranks for the task are the worker's first reads. */
  retrieval?: FileRetrieval;
  /** Where the worker's final account (its checked claims) and each criterion's standing are recorded. */
  claims?: ClaimRecords;
  /** The knowledge base for a task, for the worker's claims about what the docs say. */
  knowledge?: (taskId: string, repoPath: string) => KnowledgeLookup;
  /** How the model writes edits (LoopOptions.editFormat); the composition root chooses `text` (ADR 0019). */
  editFormat?: 'json' | 'text';
};

const AppliedSummary = z.object({ commit: z.string().nullable(), branch: z.string().nullable(), patchSha256: z.string(), files: z.array(z.string()) });
type AppliedSummary = z.infer<typeof AppliedSummary>;

/**
 * The engine's `execute`, `apply` and `cleanup` steps on top of workspaces, the loop and apply, plus
 * the change source the governance steps read the change from.
 */
export function createWorkerSteps(deps: WorkerStepsDeps) {
  const specFor = (task: Task): LoopSpec => {
    const spec = deps.specOf(task);
    if (!spec) throw new StepFailure('invalid_input', 'the task has no working spec to work from', { retryable: false });
    return spec;
  };

  async function execute(ctx: WorkerStepContext): Promise<WorkOutcome | AwaitApproval> {
    const spec = specFor(ctx.task);
    const workspace = await deps.workspaces.create({ taskId: ctx.taskId, source: ctx.task.repoPath, signal: ctx.signal });
    // After the workspace exists: tool paths are checked against it.
    const earlier = deps.tools ? await performApprovedToolCalls(deps.tools, deps.db, ctx) : [];
    const retrieved = await retrieve(ctx);
    let waiting = ctx.guidance.map((g) => g.text);
    const maxIterations = ctx.task.maxIterations;
    const loop = new AgentLoop({
      taskId: ctx.taskId,
      description: ctx.task.description,
      spec,
      riskTier: ctx.task.riskTier,
      workspace,
      model: deps.model,
      // Every iteration's gates are stored, so the task page shows them even if verify never runs.
      gates: recordingGates(deps.gatesFor(ctx.task, spec), (results) => insertGateResults(deps.db, ctx.taskId, randomUUID(), results, deps.clock.now())),
      apply: {
        policy: { scope: spec.scope, allow: deps.allow ?? ['**'], ...(deps.deny ? { deny: deps.deny } : {}) },
        budget: deps.budgetFor(ctx.task),
        ...(deps.waiverCheckFor ? { waiverCheck: deps.waiverCheckFor(ctx.task, spec) } : {}),
      },
      limits: { ...deps.limits, maxIterations },
      retrieved,
      ...(deps.knowledge ? { knowledge: deps.knowledge(ctx.taskId, ctx.task.repoPath) } : {}),
      ...(deps.promptBudgetTokens !== undefined ? { promptBudgetTokens: deps.promptBudgetTokens } : {}),
      takeGuidance: () => {
        const out = [...waiting, ...ctx.takeGuidance().map((g) => g.text)];
        waiting = [];
        return out;
      },
      emit: (event, key) => {
        // Keys are per round and attempt: a retried step runs new iterations, which are new events.
        ctx.emit(event, `worker.r${ctx.round}.a${ctx.attempt}.${key}`);
        if (event.type === 'iteration.evaluated') {
          ctx.progress(Math.min(1, event.payload.iteration / maxIterations), `iteration ${event.payload.iteration}: score ${event.payload.score.toFixed(2)}`);
        }
      },
      signal: ctx.signal,
      logger: ctx.logger,
      clock: deps.clock,
      ...(deps.tools ? { tools: { service: deps.tools, earlier } } : {}),
      ...(deps.editFormat ? { editFormat: deps.editFormat } : {}),
    });
    let result: LoopResult;
    try {
      result = await loop.run();
    } catch (e) {
      // An `ask` tool: the task waits for a human (awaiting_approval, waitingFor 'tool').
      const waiting = toAwaitApproval(e);
      if (waiting) return waiting;
      throw e;
    }
    return finishExecute(ctx, result, workspace.taskId, spec);
  }

  /** The task's files as the retrieval service ranks them (from the repository's index in the data folder); none when it fails. */
  async function retrieve(ctx: WorkerStepContext): Promise<string[]> {
    if (!deps.retrieval) return [];
    try {
      const ranked = await deps.retrieval.relevantFiles({ repoPath: ctx.task.repoPath, task: ctx.task.description, limit: 10, signal: ctx.signal });
      return ranked.map((r) => r.path);
    } catch (e) {
      if (ctx.signal.aborted) throw e;
      ctx.logger.warn({ err: e, taskId: ctx.taskId }, 'retrieval failed; the worker reads its scope in path order');
      return [];
    }
  }

  async function finishExecute(ctx: WorkerStepContext, result: LoopResult, taskId: string, spec: LoopSpec): Promise<WorkOutcome> {
    if (result.stopReason === 'intervention') throw ctx.signal.reason instanceof Error ? ctx.signal.reason : new DOMException(result.detail, 'AbortError');
    if (result.stopReason === 'mandatory_gate_failed') throw new StepFailure('forbidden', result.detail, { retryable: false });
    if (result.changes.length === 0) {
      throw new StepFailure('invalid_input', `the worker produced no change (${result.stopReason}: ${result.detail})`, { retryable: false });
    }
    // The change review starts from this: the worker's claims about the kept state and each criterion's standing.
    if (deps.claims && result.evaluation) deps.claims.recordExecution(ctx.taskId, ctx.round, result.evaluation.claims ?? [], executionStanding(spec.acceptance, result.evaluation));
    const workspace = await deps.workspaces.open(taskId);
    // Earlier rounds' claims checked against files this round changed become stale.
    if (deps.claims && workspace) await deps.claims.refresh(ctx.taskId, async (p) => (await workspace.readFile(p))?.data ?? null, { repoDir: ctx.task.repoPath });
    if (ctx.mode === 'dry-run' && workspace) {
      const kept = await keepDryRunPatch({ db: deps.db, clock: deps.clock }, workspace);
      ctx.emit({ type: 'artifact.produced', payload: { kind: 'patch', name: 'change.patch', sha256: kept.sha256 } }, `worker.r${ctx.round}.patch.${kept.sha256}`);
    }
    const lines = result.changes.reduce((n, c) => n + c.linesAdded + c.linesRemoved, 0);
    return { summary: `${result.stopReason} after ${result.iterations} iteration(s), score ${result.score.toFixed(2)}: ${result.changes.length} file(s), ${lines} line(s) changed. ${result.detail}` };
  }

  async function apply(ctx: WorkerStepContext): Promise<WorkOutcome> {
    const spec = specFor(ctx.task);
    const workspace = await deps.workspaces.open(ctx.taskId);
    if (ctx.mode === 'dry-run') {
      if (!workspace) throw new StepFailure('not_found', 'the task workspace is gone; nothing to keep', { retryable: false });
      const kept = await keepDryRunPatch({ db: deps.db, clock: deps.clock }, workspace);
      ctx.emit({ type: 'artifact.produced', payload: { kind: 'patch', name: 'change.patch', sha256: kept.sha256 } }, `worker.apply.patch.${kept.sha256}`);
      return { summary: `dry-run: the patch (sha256 ${kept.sha256}) is kept for a later promote; the repository was not touched` };
    }
    const mode = deps.applyMode ?? 'new-branch';
    const applied = await ctx.journalEffect<AppliedSummary>({ key: 'apply.change', kind: 'git.commit', result: AppliedSummary }, async (attempt) => {
      if (attempt.interrupted) {
        const found = await findAppliedCommit(ctx.task.repoPath, mode === 'new-branch' ? taskBranch(ctx.taskId) : 'HEAD', ctx.taskId);
        if (found) return { commit: found, branch: mode === 'new-branch' ? taskBranch(ctx.taskId) : null, patchSha256: '', files: [] };
      }
      if (!workspace) throw new StepFailure('not_found', 'the task workspace is gone; run the task again', { retryable: false });
      ctx.writeGuard(ctx.task.repoPath);
      const patch = await workspace.patch();
      const result = await deps.applier.apply({
        taskId: ctx.taskId,
        targetPath: ctx.task.repoPath,
        patch: patch.patch,
        expectedSha256: patch.sha256,
        baseCommit: patch.baseCommit,
        mode,
        subject: spec.title,
        body: ctx.task.description,
        specId: spec.id,
        verdict: deps.verdictOf(ctx.taskId),
        signal: attempt.signal,
      });
      if (!result.ok) throw new StepFailure(result.error.code, result.error.message, { retryable: false });
      const v = result.value;
      return v.kind === 'commit'
        ? { commit: v.commit, branch: v.branch, patchSha256: v.patchSha256, files: v.files }
        : { commit: null, branch: null, patchSha256: v.patchSha256, files: v.files };
    });
    ctx.emit({ type: 'artifact.produced', payload: { kind: applied.commit ? 'commit' : 'files', name: applied.commit ?? applied.files.join(', '), sha256: applied.patchSha256 || undefined } }, 'worker.apply.done');
    if (!deps.keepWorkspaces) await deps.workspaces.remove(ctx.taskId);
    return { summary: applied.commit ? `committed ${applied.commit.slice(0, 12)} on ${applied.branch ?? 'the current branch'}` : `patched ${applied.files.length} file(s) in place` };
  }

  async function cleanup(ctx: { taskId: string }): Promise<void> {
    await deps.workspaces.remove(ctx.taskId, { keep: deps.keepWorkspaces === true });
  }

  /** The governance steps' view of the current change (`ChangeSource`). */
  async function changeSource(ctx: { taskId: string }): Promise<ChangeUnderReview> {
    const workspace = await deps.workspaces.open(ctx.taskId);
    if (!workspace) throw new AppFailure('not_found', `task ${ctx.taskId} has no workspace`);
    const patch = await workspace.patch();
    return {
      workspaceDir: workspace.dir,
      changedFiles: patch.files.map((f) => ({ path: f.path, linesAdded: f.linesAdded, linesRemoved: f.linesRemoved })),
      diff: patch.patch.length > 200_000 ? `${patch.patch.slice(0, 200_000)}\n… (diff cut at 200 KB)` : patch.patch,
    };
  }

  return { execute, apply, cleanup, changeSource };
}

/** A commit at `ref` whose Agent-Agency-Task trailer names the task: an apply that already happened. */
async function findAppliedCommit(target: string, ref: string, taskId: string): Promise<string | null> {
  const out = await git(['log', '-1', '--format=%H%x00%(trailers:key=Agent-Agency-Task,valueonly)', ref], { cwd: target });
  if (out.code !== 0) return null;
  const [commit, task] = out.stdout.toString('utf8').split('\0');
  return task?.trim() === taskId && commit ? commit.trim() : null;
}
