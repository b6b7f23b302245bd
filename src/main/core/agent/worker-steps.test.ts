import { latestGateRun } from '../db/queries/gate-results';
import { insertTask } from '../db/queries/tasks';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NewEvent } from '../../../shared/domain/events';
import type { ExecutionMode, Task } from '../../../shared/domain/task';
import { AppFailure } from '../../../shared/errors';
import { ChangeApplier } from '../apply/apply-change';
import { latestPatch } from '../db/queries/task-patches';
import { openDatabase, type Db } from '../db/open';
import { silentLogger } from '../observability/logger';
import { WorkspaceManager } from '../workspace/manager';
import { gitSync, initRepo } from '../workspace/testing/git-fixture';
import { snapshotTree } from '../workspace/testing/tree-fixture';
import type { LoopSpec } from './loop';
import { FnGateRunner, gate } from './testing/gates';
import { ScriptedModel } from './testing/scripted-model';
import { createWorkerSteps, type WorkerStepContext } from './worker-steps';
import { ClaimRecords } from '../claims/records';

const TASK = 'tsk_0000000000ws';
const clock = { now: () => 1_800_000_000_000 };
const SPEC: LoopSpec = { id: 'FEAT-0001', title: 'Write the greeting', scope: { in: ['hello.txt'] }, acceptance: [{ id: 'A1', given: 'g', when: 'w', then: 'hello.txt says hello' }] };
const WRITE = { action: 'write', reason: 'greet', confidence: 0.9, criteria_met: ['A1'], edits: [{ op: 'write', path: 'hello.txt', content: 'hello\n', to: '', hunks: [] }] };

describe('worker steps for the engine', () => {
  let base: string;
  let repo: string;
  let db: Db;
  let events: { event: NewEvent; key: string | undefined }[];

  beforeEach(() => {
    base = mkdtempSync(join(tmpdir(), 'aa-steps-'));
    repo = join(base, 'repo');
    initRepo(repo, { 'hello.txt': '...\n' });
    db = openDatabase({ file: ':memory:', logger: silentLogger() });
    events = [];
  });
  afterEach(() => {
    db.close();
    rmSync(base, { recursive: true, force: true });
  });

  function setup(mode: ExecutionMode, script: unknown[] = [WRITE], claims?: ClaimRecords) {
    const workspaces = new WorkspaceManager({ root: join(base, 'workspaces'), db, logger: silentLogger(), clock });
    const steps = createWorkerSteps({
      ...(claims ? { claims } : {}),
      workspaces,
      db,
      clock,
      model: new ScriptedModel(script),
      specOf: () => SPEC,
      gatesFor: () => new FnGateRunner(() => [gate('tests', 'pass')]),
      budgetFor: () => ({ maxFiles: 10, maxLines: 100 }),
      applier: new ChangeApplier({ logger: silentLogger(), sign: async () => 'header.payload.signature' }),
      verdictOf: () => 'accept (score 0.91)',
    });
    const task: Task = {
      id: TASK,
      description: 'Make hello.txt greet.',
      repoPath: repo,
      mode,
      riskTier: 2,
      priority: 'normal',
      maxIterations: 3,
      state: { kind: 'executing' },
      progress: 0,
      createdAt: 0,
      updatedAt: 0,
      spec: 'id: FEAT-0001',
    };
    // The task exists in the database, as under the engine (gate runs reference it).
    insertTask(db, task);
    const controller = new AbortController();
    const ctx: WorkerStepContext = {
      taskId: TASK,
      task,
      mode,
      round: 1,
      attempt: 1,
      signal: controller.signal,
      guidance: [{ id: 1, text: 'Say hello in lower case.', actor: { who: 'u', via: 'cli' }, at: 0 }],
      takeGuidance: () => [],
      approvals: [],
      writeGuard: (p) => {
        if (mode === 'dry-run') throw new AppFailure('forbidden', 'dry-run: the target is read-only');
        return p;
      },
      journalEffect: async (spec, perform) => perform({ key: spec.key, interrupted: false, signal: controller.signal }),
      emit: (event, key) => {
        events.push({ event, key });
        return { ...event, seq: events.length, taskId: TASK, taskSeq: events.length, ts: 0 } as never;
      },
      progress: () => undefined,
      logger: silentLogger(),
    } as WorkerStepContext;
    return { steps, ctx, workspaces };
  }

  it('dry-run: executes in the workspace, keeps the patch, and never touches the target', async () => {
    const before = snapshotTree(repo);
    const { steps, ctx } = setup('dry-run');
    const executed = await steps.execute(ctx);
    expect(executed).toMatchObject({ summary: expect.stringMatching(/^satisficed after 1 iteration/) });
    const change = await steps.changeSource(ctx);
    expect(change.changedFiles).toEqual([{ path: 'hello.txt', linesAdded: 1, linesRemoved: 1 }]);
    expect(change.diff).toContain('+hello');
    const applied = await steps.apply(ctx);
    expect(applied.summary).toContain('kept for a later promote');
    const kept = latestPatch(db, TASK);
    expect(events.some((e) => e.event.type === 'artifact.produced' && e.event.payload.sha256 === kept?.sha256)).toBe(true);
    expect(events.filter((e) => e.event.type === 'iteration.started').map((e) => e.key)).toEqual(['worker.r1.a1.iteration.1.started']);
    expect(events[0]!.event).toMatchObject({ payload: { guidance: 1 } });
    await steps.cleanup(ctx);
    expect(snapshotTree(repo)).toEqual(before);
  });

  it("stores every iteration's gate run, so the task page shows gates even when verify never runs", async () => {
    const { steps, ctx } = setup('dry-run');
    await steps.execute(ctx);
    expect(latestGateRun(db, TASK)?.results).toEqual([expect.objectContaining({ gate: 'tests', status: 'pass' })]);
  });

  it('auto: applies the change as a commit on the task branch and removes the workspace', async () => {
    const { steps, ctx, workspaces } = setup('auto');
    await steps.execute(ctx);
    const applied = await steps.apply(ctx);
    expect(applied.summary).toMatch(new RegExp(`^committed [0-9a-f]{12} on agent-agency/${TASK}$`));
    expect(gitSync(repo, ['show', `agent-agency/${TASK}:hello.txt`])).toBe('hello\n');
    const trailers = execFileSync('git', ['log', '-1', '--format=%(trailers)', `agent-agency/${TASK}`], { cwd: repo, encoding: 'utf8' });
    expect(trailers).toContain('CAWS-Verdict: accept (score 0.91)');
    expect(await workspaces.open(TASK)).toBeNull();
    expect(existsSync(join(base, 'workspaces', TASK))).toBe(false);
  });

  it('fails the step when the worker produced no change, without retrying', async () => {
    const { steps, ctx } = setup('auto', [{ action: 'no-op', reason: 'done', confidence: 1, criteria_met: [], edits: [] }]);
    await expect(steps.execute(ctx)).rejects.toMatchObject({ code: 'invalid_input', retryable: false, message: expect.stringContaining('no change') });
  });

  it("a later round that rewrites a file makes the earlier round's claims about it stale", async () => {
    const claims = new ClaimRecords({ db, clock });
    const say = (content: string, reason: string) => ({ ...WRITE, reason, edits: [{ ...WRITE.edits[0]!, content }] });
    const { steps, ctx } = setup('dry-run', [say('hello\n', 'Updated hello.txt to greet.'), say('hello there\n', 'Made the greeting longer.')], claims);
    await steps.execute(ctx);
    expect(claims.view(TASK).claims.filter((c) => c.kind === 'file_changed').map((c) => [c.round, c.subject, c.status, c.stale])).toEqual([[1, 'hello.txt', 'verified', false]]);
    await steps.execute({ ...ctx, round: 2 });
    const first = claims.view(TASK).claims.find((c) => c.round === 1 && c.kind === 'file_changed');
    expect(first).toMatchObject({ stale: true, sources: [expect.objectContaining({ path: 'hello.txt', stale: true })] });
  });
});
