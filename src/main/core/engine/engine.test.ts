import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { testCore } from '../../../../test/helpers';
import type { Actor } from '../../../shared/domain/events';
import type { SubmitTaskInput } from '../../../shared/domain/task';
import { SubmitTaskInput as SubmitSchema } from '../../../shared/domain/task';
import type { CoreOptions } from '../composition/app-core';
import { eventsForTask } from '../db/queries/events';
import { stepRunsForTask } from '../db/queries/step-runs';
import { approvalsForTask } from '../db/queries/task-approvals';
import { getRuntime } from '../db/queries/task-runtime';
import { StepFailure } from './errors';
import type { StepName } from './phases';
import { ScriptedSteps, sleep } from './testing/scripted-steps';
import { eventTypes, statePath, taskOf, waitFor, waitForState } from './testing/wait';

const alice: Actor = { who: 'alice', via: 'window' };
const cleanups: (() => void)[] = [];

afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

/** A real core on a temp folder with the engine running the given steps; fast retries. */
function setup(steps: ScriptedSteps, engine: CoreOptions['engine'] = {}) {
  const core = testCore({
    steps,
    scheduler: { autoStart: false },
    engine: { concurrency: 2, watchdogIntervalMs: 0, abortGraceMs: 200, ...engine, retry: { baseDelayMs: 5, maxDelayMs: 20, ...engine.retry } },
  });
  cleanups.push(() => core.cleanup());
  const submit = (input: Partial<SubmitTaskInput> = {}) =>
    core.tasks.submit(SubmitSchema.parse({ description: 'add input validation', repoPath: core.repo, mode: 'auto', ...input }));
  return { core, engine: core.engine!, db: core.db, submit };
}

describe('task engine', () => {
  it('takes a task through every phase, journaling each transition before acting on it', async () => {
    const steps = new ScriptedSteps();
    const { db, submit } = setup(steps);
    const task = submit();
    const done = await waitForState(db, task.id, 'completed');
    expect(done.progress).toBe(100);
    expect(done.spec).toContain('FEAT-1');
    expect(statePath(db, task.id)).toEqual(['planning', 'reviewing_plan', 'executing', 'verifying', 'reviewing_change', 'applying', 'completed']);
    expect(steps.calls.map((c) => c.step)).toEqual(['plan', 'reviewPlan', 'execute', 'verify', 'reviewChange', 'apply']);
    // Every attempt is journaled (worker.assigned) before its step ran, and succeeded once.
    const runs = stepRunsForTask(db, task.id);
    expect(runs.map((r) => [r.phase, r.status, r.attempt])).toEqual([
      ['planning', 'succeeded', 1],
      ['reviewing_plan', 'succeeded', 1],
      ['executing', 'succeeded', 1],
      ['verifying', 'succeeded', 1],
      ['reviewing_change', 'succeeded', 1],
      ['applying', 'succeeded', 1],
    ]);
    const events = eventsForTask(db, task.id);
    expect(events.map((e) => e.taskSeq)).toEqual(events.map((_, i) => i + 1));
    // The state chain is unbroken: each change starts where the previous one ended.
    const moves = events.filter((e) => e.type === 'task.state');
    let previous: unknown = { kind: 'queued' };
    for (const m of moves) {
      if (m.type !== 'task.state') continue;
      expect(m.payload.from).toEqual(previous);
      previous = m.payload.to;
    }
    const progress = events.filter((e) => e.type === 'progress').map((e) => (e.type === 'progress' ? e.payload.percent : -1));
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(eventTypes(db, task.id).at(-2)).toBe('task.completed');
  });

  it('strict mode waits at plan, changeset and apply until a human approves, recording who and from where', async () => {
    const { db, engine, submit } = setup(new ScriptedSteps());
    const task = submit({ mode: 'strict' });
    const gates = ['plan', 'changeset', 'apply'] as const;
    const vias: Actor['via'][] = ['window', 'cli', 'notification'];
    for (const [i, gate] of gates.entries()) {
      const waiting = await waitForState(db, task.id, 'awaiting_approval');
      expect(waiting.state).toMatchObject({ waitingFor: gate });
      engine.approve(task.id, { who: 'bob', via: vias[i]! }, gate);
      await waitFor(() => taskOf(db, task.id).state.kind !== 'awaiting_approval' || undefined);
    }
    await waitForState(db, task.id, 'completed');
    expect(approvalsForTask(db, task.id).map((a) => [a.gate, a.status, a.actor])).toEqual([
      ['plan', 'granted', { who: 'bob', via: 'window' }],
      ['changeset', 'granted', { who: 'bob', via: 'cli' }],
      ['apply', 'granted', { who: 'bob', via: 'notification' }],
    ]);
  });

  it('dry-run: the engine refuses any write into the target repository, whatever the step tries', async () => {
    let allowed: string | undefined;
    const steps = new ScriptedSteps({
      script: {
        execute: async (ctx) => {
          // A workspace path outside the target is fine in every mode.
          allowed = ctx.writeGuard(join(ctx.target.path, '..', 'workspace-copy', 'a.ts'));
          const target = ctx.writeGuard(join(ctx.target.path, 'src', 'a.ts'));
          writeFileSync(target, 'changed');
          return {};
        },
      },
    });
    const { db, core, submit } = setup(steps);
    const dry = submit({ mode: 'dry-run' });
    const failed = await waitForState(db, dry.id, 'failed');
    expect(failed.state).toMatchObject({ reason: expect.stringContaining('dry-run: the target repository is read-only') });
    expect(existsSync(join(core.repo, 'src', 'a.ts'))).toBe(false);
    expect(allowed).toMatch(/workspace-copy/);
    // The same step may write the target when the task is not a dry run.
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(core.repo, 'src'));
    const auto = submit({ mode: 'auto' });
    await waitForState(db, auto.id, 'completed');
    expect(existsSync(join(core.repo, 'src', 'a.ts'))).toBe(true);
  });

  it('retries retryable failures with growing backoff and fails at once on the others', async () => {
    let flaky = 0;
    const steps = new ScriptedSteps({
      script: {
        execute: async (ctx) => {
          if (ctx.task.description.startsWith('flaky') && ++flaky <= 2) throw new StepFailure('unavailable', 'model busy');
          if (ctx.task.description.startsWith('broken')) throw new Error('cannot parse the diff');
          return {};
        },
      },
    });
    const { db, submit } = setup(steps, { retry: { baseDelayMs: 20, maxDelayMs: 1000 } });
    const flakyTask = submit({ description: 'flaky task' });
    const brokenTask = submit({ description: 'broken task' });
    await waitForState(db, flakyTask.id, 'completed');
    const retries = eventsForTask(db, flakyTask.id).flatMap((e) => (e.type === 'step.retry' ? [e.payload] : []));
    expect(retries.map((r) => [r.attempt, r.code])).toEqual([
      [1, 'unavailable'],
      [2, 'unavailable'],
    ]);
    // Equal jitter: the n-th delay lies in [base·2^(n-1)/2, base·2^(n-1)].
    expect(retries[0]!.delayMs).toBeGreaterThanOrEqual(10);
    expect(retries[0]!.delayMs).toBeLessThanOrEqual(20);
    expect(retries[1]!.delayMs).toBeGreaterThanOrEqual(20);
    expect(retries[1]!.delayMs).toBeLessThanOrEqual(40);
    const broken = await waitForState(db, brokenTask.id, 'failed');
    expect(broken.state).toEqual({ kind: 'failed', reason: 'execute step failed: cannot parse the diff' });
    expect(steps.callsOf('execute', brokenTask.id)).toHaveLength(1);
  });

  it('gives up after the last attempt and says how many were made', async () => {
    const steps = new ScriptedSteps({ script: { verify: async () => Promise.reject(new StepFailure('timeout', 'gate runner hung')) } });
    const { db, submit } = setup(steps, { retry: { maxAttempts: 3 } });
    const task = submit();
    const failed = await waitForState(db, task.id, 'failed');
    expect(failed.state).toEqual({ kind: 'failed', reason: 'verify step failed: gate runner hung (gave up after 3 attempts)' });
    expect(steps.callsOf('verify')).toHaveLength(3);
  });

  it('aborts a step that overruns its timeout and retries it', async () => {
    const steps = new ScriptedSteps({
      script: {
        plan: async (ctx) => {
          if (ctx.attempt === 1) await sleep(10_000, ctx.signal);
          return { summary: 'second try' };
        },
      },
    });
    const { db, submit } = setup(steps, { stepTimeoutsMs: { plan: 80 } });
    const task = submit();
    await waitForState(db, task.id, 'completed');
    const plans = steps.callsOf('plan');
    expect(plans).toHaveLength(2);
    expect(plans[0]!.abortedAt).toBeDefined();
    const retry = eventsForTask(db, task.id).find((e) => e.type === 'step.retry');
    expect(retry?.type === 'step.retry' && retry.payload.code).toBe('timeout');
  });

  it('fails a task that uses up its time budget, unless the budget is raised while it runs', async () => {
    let raise!: () => void;
    const raisedBudget = new Promise<void>((resolve) => (raise = resolve));
    const steps = new ScriptedSteps({
      script: {
        execute: async (ctx) => {
          // The raised one finishes only once the test lets it, however slow the machine.
          if (ctx.task.description === 'raised') await Promise.race([raisedBudget, sleep(5_000, ctx.signal)]);
          else await sleep(5_000, ctx.signal);
          return {};
        },
      },
    });
    const { db, engine, submit } = setup(steps, { timeBudgetMs: 1_000 });
    const starved = submit({ description: 'starved' });
    const failed = await waitForState(db, starved.id, 'failed');
    expect(failed.state).toEqual({ kind: 'failed', reason: 'execute step failed: the task used up its time budget' });
    expect(steps.callsOf('execute', starved.id)).toHaveLength(1);

    const raised = submit({ description: 'raised' });
    await waitFor(() => steps.callsOf('execute', raised.id).length === 1 || undefined);
    engine.modify(raised.id, alice, { timeBudgetMs: 60_000 });
    // A witness with the old budget, submitted after the raised one started its step, runs out of it
    // no earlier than the raised one's old budget would have: its failure is the event that says
    // the old limit has passed, with no guess at how long that takes.
    const witness = submit({ description: 'witness' });
    await waitForState(db, witness.id, 'failed');
    // Past the old budget, the step still runs: the time limit was re-checked against the new one.
    expect(steps.callsOf('execute', raised.id)[0]!.abortedAt).toBeUndefined();
    raise();
    await waitForState(db, raised.id, 'completed');
    expect(steps.callsOf('execute', raised.id)).toHaveLength(1);
  });

  it('opens a dependency breaker after repeated failures, refuses calls while open, and closes after a good trial', async () => {
    let calls = 0;
    let healthy = false;
    const steps = new ScriptedSteps({
      script: {
        plan: async (ctx) => {
          await ctx.call('model:planner', async () => {
            calls++;
            if (!healthy) throw new StepFailure('unavailable', 'connection refused');
          });
          return {};
        },
      },
    });
    const { db, engine, submit } = setup(steps, {
      breaker: { failureThreshold: 2, cooldownMs: 150 },
      retry: { maxAttempts: 10, baseDelayMs: 10, maxDelayMs: 10 },
    });
    const task = submit();
    await waitFor(() => engine.status().breakers['model:planner'] === 'open' || undefined);
    const callsWhenOpened = calls;
    healthy = true;
    await waitForState(db, task.id, 'completed', 5_000);
    const changes = eventsForTask(db, task.id).flatMap((e) => (e.type === 'breaker.state' ? [`${e.payload.from}>${e.payload.to}`] : []));
    expect(changes).toEqual(['closed>open', 'open>half_open', 'half_open>closed']);
    // While open, attempts were refused without calling the provider: only the trial call went through.
    expect(calls).toBe(callsWhenOpened + 1);
    const refused = eventsForTask(db, task.id).filter((e) => e.type === 'step.retry' && /circuit open/.test(e.payload.message));
    expect(refused.length).toBeGreaterThan(0);
  });

  it('runs at most `concurrency` steps at once and picks higher priorities first', async () => {
    let running = 0;
    let peak = 0;
    const order: string[] = [];
    const steps = new ScriptedSteps({
      script: {
        plan: async (ctx) => {
          order.push(ctx.task.description);
          running++;
          peak = Math.max(peak, running);
          await sleep(30, ctx.signal);
          running--;
          return {};
        },
      },
    });
    const { db, submit } = setup(steps, { concurrency: 1 });
    const first = submit({ description: 'first in' });
    await waitFor(() => order.length === 1 || undefined);
    const low = submit({ description: 'low one', priority: 'low' });
    const normal = submit({ description: 'normal one', priority: 'normal' });
    const urgent = submit({ description: 'urgent one', priority: 'urgent' });
    for (const t of [first, low, normal, urgent]) await waitForState(db, t.id, 'completed', 10_000);
    expect(order).toEqual(['first in', 'urgent one', 'normal one', 'low one']);
    expect(peak).toBe(1);
  });

  it('journals step effects before acting; an effect already applied is never applied again', async () => {
    const applied: string[] = [];
    let interruptedSeen = false;
    const steps = new ScriptedSteps({
      script: {
        execute: async (ctx) => {
          const sha = await ctx.journalEffect({ key: 'write-a', kind: 'workspace.write', result: z.string() }, async () => {
            applied.push('a');
            return 'sha-a';
          });
          await ctx.journalEffect({ key: 'write-b', kind: 'workspace.write' }, async (a) => {
            if (a.interrupted) interruptedSeen = true;
            if (ctx.attempt === 1) throw new StepFailure('unavailable', 'disk busy');
            applied.push('b');
          });
          ctx.journalEffectInTransaction({ key: 'count', kind: 'db.count' }, () => applied.push('tx'));
          if (ctx.attempt === 2) throw new StepFailure('unavailable', 'flaky after the effects');
          expect(sha).toBe('sha-a');
          return {};
        },
      },
    });
    const { db, submit } = setup(steps);
    const task = submit();
    await waitForState(db, task.id, 'completed');
    expect(steps.callsOf('execute')).toHaveLength(3);
    expect(applied).toEqual(['a', 'b', 'tx']);
    expect(interruptedSeen).toBe(true);
    const effects = eventsForTask(db, task.id).flatMap((e) => (e.type === 'step.effect' ? [`${e.payload.key}:${e.payload.status}`] : []));
    expect(effects).toEqual([
      'executing:r1:write-a:intent',
      'executing:r1:write-a:applied',
      'executing:r1:write-b:intent',
      'executing:r1:write-b:applied',
      'executing:r1:count:applied',
    ]);
  });

  it('a second round of execution runs its effects again (new round, new keys)', async () => {
    const applied: number[] = [];
    let verifies = 0;
    const steps = new ScriptedSteps({
      script: {
        execute: async (ctx) => {
          await ctx.journalEffect({ key: 'patch', kind: 'workspace.write' }, () => {
            applied.push(ctx.round);
          });
          return {};
        },
        verify: async () => (++verifies > 1 ? { passed: true, summary: 'green' } : { passed: false, summary: 'test A fails' }),
      },
    });
    const { db, submit } = setup(steps);
    const task = submit();
    await waitForState(db, task.id, 'completed');
    expect(applied).toEqual([1, 2]);
    // The gates' complaint reached the second execution as guidance.
    expect(steps.callsOf('execute')[1]!.guidance).toEqual(['test A fails']);
    expect(getRuntime(db, task.id)).toMatchObject({ planRounds: 1, execRounds: 2 });
  });

  it('a step context refuses to act once its attempt is over', async () => {
    let late: unknown;
    const steps = new ScriptedSteps({
      script: {
        plan: async (ctx) => {
          // Work a step leaves behind must not write into the task's journal later.
          setTimeout(() => {
            try {
              ctx.emit({ type: 'artifact.produced', payload: { kind: 'note', name: 'too late' } });
            } catch (e) {
              late = e;
            }
          }, 30);
          return {};
        },
      },
    });
    const { db, submit } = setup(steps);
    const task = submit();
    await waitForState(db, task.id, 'completed');
    await waitFor(() => late);
    expect(late).toMatchObject({ code: 'conflict', message: "the plan step's attempt 1 is over" });
    expect(eventTypes(db, task.id)).not.toContain('artifact.produced');
  });

  it('fails a task whose step returns a malformed result, naming the step', async () => {
    const steps = new ScriptedSteps({ script: { reviewPlan: async () => ({ decision: 'maybe', summary: 1 }) as never } });
    const { db, submit } = setup(steps);
    const task = submit();
    const failed = await waitForState(db, task.id, 'failed');
    expect(failed.state.kind === 'failed' && failed.state.reason).toMatch(/reviewPlan step returned an invalid result/);
  });

  it('refuses impossible commands with a conflict and unknown tasks with not_found', async () => {
    const steps = new ScriptedSteps({ delayMs: { plan: 5_000 } });
    const { db, engine, submit } = setup(steps);
    const task = submit();
    await waitForState(db, task.id, 'planning');
    expect(() => engine.resume(task.id, alice)).toThrow(expect.objectContaining({ code: 'conflict', message: 'the task is not paused' }));
    expect(() => engine.approve(task.id, alice)).toThrow(expect.objectContaining({ code: 'conflict' }));
    expect(() => engine.pause('tsk_0000000000nothere', alice)).toThrow(expect.objectContaining({ code: 'not_found' }));
    engine.cancel(task.id, alice);
    expect(() => engine.cancel(task.id, alice)).toThrow(expect.objectContaining({ code: 'conflict', message: expect.stringMatching(/cancelled/) }));
  });

  it('the watchdog retries a task found active with nothing executing, then fails it if it keeps happening', async () => {
    const steps = new ScriptedSteps();
    const { db, engine, core, submit } = setup(steps, { maxStalls: 1 });
    const task = submit();
    await waitForState(db, task.id, 'completed');
    // Something behind the engine's back leaves the task "executing" with no step running.
    const stall = () =>
      db.prepare("UPDATE tasks SET state_kind = 'executing', state_json = ? WHERE id = ?").run(JSON.stringify({ kind: 'executing' }), task.id);
    stall();
    engine.checkForStalls();
    expect(taskOf(db, task.id).state.kind).toBe('executing');
    engine.checkForStalls();
    await waitForState(db, task.id, 'completed');
    const recovered = eventsForTask(db, task.id).filter((e) => e.type === 'task.recovered');
    expect(recovered.map((e) => e.type === 'task.recovered' && [e.payload.cause, e.payload.action])).toEqual([['watchdog', 'retry']]);
    expect(recovered[0]!.type === 'task.recovered' && recovered[0]!.payload.reason).toBe('the task was executing with nothing executing');
    void core;
    // Succeeding resets the count; two stalls in a row without progress in between exceed maxStalls = 1.
    stall();
    db.prepare('UPDATE task_runtime SET stalls = 1 WHERE task_id = ?').run(task.id);
    engine.checkForStalls();
    engine.checkForStalls();
    const failed = await waitForState(db, task.id, 'failed');
    expect(failed.state).toEqual({ kind: 'failed', reason: 'the task stalled 2 times with nothing executing' });
  });
});

describe('wiring into the core', () => {
  it('builds the steps from the core when given a factory, and hands every submitted task to the engine', async () => {
    let seen: unknown;
    const steps = new ScriptedSteps();
    const core = testCore({
      scheduler: { autoStart: false },
      engine: { watchdogIntervalMs: 0 },
      steps: (c) => {
        seen = c.db;
        return steps;
      },
    });
    cleanups.push(() => core.cleanup());
    expect(seen).toBe(core.db);
    expect(core.engine).toBeDefined();
    const task = core.tasks.submit(SubmitSchema.parse({ description: 'wired', repoPath: core.repo, mode: 'auto' }));
    await waitForState(core.db, task.id, 'completed');
    expect(steps.calls).toHaveLength(6);
  });

  it('runs no engine without steps: tasks stay queued', async () => {
    const core = testCore({ scheduler: { autoStart: false } });
    cleanups.push(() => core.cleanup());
    expect(core.engine).toBeUndefined();
    const task = core.tasks.submit(SubmitSchema.parse({ description: 'idle', repoPath: core.repo }));
    await sleep(50);
    expect(taskOf(core.db, task.id).state.kind).toBe('queued');
  });
});

describe('recovery at start', () => {
  it('retries a step cut short by a crash, without re-running finished steps or re-applying effects', async () => {
    const effects: string[] = [];
    const make = (hang: boolean) =>
      new ScriptedSteps({
        script: {
          execute: async (ctx) => {
            await ctx.journalEffect({ key: 'write', kind: 'workspace.write' }, () => {
              effects.push(`write@${ctx.attempt}`);
            });
            if (hang) await sleep(60_000, ctx.signal);
            return {};
          },
        },
      });
    const first = make(true);
    const { core: core1, db } = setup(first);
    const task = core1.tasks.submit(SubmitSchema.parse({ description: 'survive a crash', repoPath: core1.repo, mode: 'auto' }));
    await waitFor(() => effects.length === 1 || undefined);
    // Simulate a crash: the attempt stays recorded as started, as if the process died mid-step.
    const runId = stepRunsForTask(db, task.id).at(-1)!.id;
    core1.engine!.stop();
    db.prepare("UPDATE step_runs SET status = 'started', finished_at = NULL WHERE id = ?").run(runId);

    const second = make(false);
    const { TaskEngine } = await import('./engine');
    const engine2 = new TaskEngine({ db, journal: core1.journal, clock: { now: () => Date.now() }, logger: core1.logger, steps: second, settings: { watchdogIntervalMs: 0 } });
    cleanups.push(() => engine2.stop());
    engine2.start();
    await waitForState(db, task.id, 'completed');
    expect(second.callsOf('plan')).toHaveLength(0);
    expect(second.callsOf('reviewPlan')).toHaveLength(0);
    expect(second.callsOf('execute')).toHaveLength(1);
    expect(effects).toEqual(['write@1']);
    const recovered = eventsForTask(db, task.id).find((e) => e.type === 'task.recovered');
    expect(recovered?.type === 'task.recovered' && recovered.payload).toMatchObject({ cause: 'restart', action: 'retry', phase: 'executing' });
    expect(stepRunsForTask(db, task.id).filter((r) => r.phase === 'executing').map((r) => r.status)).toEqual(['interrupted', 'succeeded']);
  });

  it('keeps paused tasks paused and pending approvals pending, and finishes an interrupted cleanup', async () => {
    const hold: Record<StepName, number> = { plan: 0, reviewPlan: 0, execute: 60_000, verify: 0, reviewChange: 0, apply: 0 };
    const steps = new ScriptedSteps({ delayMs: hold, cleanup: async () => undefined });
    const { core, db, engine, submit } = setup(steps);
    const paused = submit({ description: 'to be paused' });
    const waiting = submit({ description: 'to wait', mode: 'strict' });
    const cancelled = submit({ description: 'to be cancelled' });
    await waitForState(db, paused.id, 'executing');
    engine.pause(paused.id, alice);
    await waitForState(db, waiting.id, 'awaiting_approval');
    await waitForState(db, cancelled.id, 'executing');
    engine.stop();
    // The cancel's cleanup never ran: the process "died" right after the cancel committed.
    db.prepare("UPDATE task_runtime SET cleanup = 'pending' WHERE task_id = ?").run(cancelled.id);
    db.prepare(
      "UPDATE tasks SET state_kind = 'cancelled', state_json = ? WHERE id = ?",
    ).run(JSON.stringify({ kind: 'cancelled' }), cancelled.id);

    const steps2 = new ScriptedSteps({ cleanup: async () => undefined });
    const { TaskEngine } = await import('./engine');
    const engine2 = new TaskEngine({ db, journal: core.journal, clock: { now: () => Date.now() }, logger: core.logger, steps: steps2, settings: { watchdogIntervalMs: 0 } });
    cleanups.push(() => engine2.stop());
    engine2.start();
    await engine2.idle();
    expect(taskOf(db, paused.id).state).toEqual({ kind: 'paused', from: 'executing' });
    expect(taskOf(db, waiting.id).state).toEqual({ kind: 'awaiting_approval', from: 'reviewing_plan', waitingFor: 'plan' });
    expect(approvalsForTask(db, waiting.id).map((a) => a.status)).toEqual(['pending']);
    expect(steps2.calls).toHaveLength(0);
    expect(steps2.cleanups).toEqual([cancelled.id]);
    expect(getRuntime(db, cancelled.id)?.cleanup).toBe('done');
    // And the approval still works after the restart.
    engine2.approve(waiting.id, { who: 'carol', via: 'api' }, 'plan');
    await waitForState(db, waiting.id, 'awaiting_approval');
    expect(taskOf(db, waiting.id).state).toMatchObject({ waitingFor: 'changeset' });
  });
});
