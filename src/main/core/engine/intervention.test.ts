import { afterEach, describe, expect, it } from 'vitest';
import { testCore } from '../../../../test/helpers';
import type { Actor } from '../../../shared/domain/events';
import { SubmitTaskInput, type ExecutionMode, type SubmitTaskInput as SubmitInput, type TaskStateKind } from '../../../shared/domain/task';
import { AppFailure } from '../../../shared/errors';
import type { CoreOptions } from '../composition/app-core';
import { ContractSession } from '../api/session';
import { eventsForTask } from '../db/queries/events';
import { stepRunsForTask } from '../db/queries/step-runs';
import { getRuntime } from '../db/queries/task-runtime';
import type { TaskEngine } from './engine';
import { ScriptedSteps, sleep } from './testing/scripted-steps';
import { statePath, taskOf, waitFor, waitForState } from './testing/wait';
import type { Db } from '../db/open';

const alice: Actor = { who: 'alice', via: 'window' };
const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

function setup(steps: ScriptedSteps, engine: CoreOptions['engine'] = {}) {
  const core = testCore({
    steps,
    scheduler: { autoStart: false },
    engine: { concurrency: 2, watchdogIntervalMs: 0, abortGraceMs: 300, retry: { baseDelayMs: 5, maxDelayMs: 20 }, ...engine },
  });
  cleanups.push(() => core.cleanup());
  const submit = (input: Partial<SubmitInput> = {}) =>
    core.tasks.submit(SubmitTaskInput.parse({ description: 'steer me', repoPath: core.repo, ...input }));
  return { core, engine: core.engine!, db: core.db, submit };
}

/** Approves every ordinary gate until the task ends or waits for something else. */
async function driveToEnd(db: Db, engine: TaskEngine, id: string): Promise<TaskStateKind> {
  for (;;) {
    const state = await waitFor(() => {
      const s = taskOf(db, id).state;
      return s.kind === 'completed' || s.kind === 'failed' || s.kind === 'cancelled' || s.kind === 'awaiting_approval' ? s : undefined;
    });
    if (state.kind !== 'awaiting_approval') return state.kind;
    if (state.waitingFor === 'escalation' || state.waitingFor === 'tool') return state.kind;
    engine.approve(id, { who: 'approver', via: 'api' }, state.waitingFor);
    await waitFor(() => taskOf(db, id).state.kind !== 'awaiting_approval' || undefined);
  }
}

/** A model call that takes its time and stops as soon as its signal aborts, as the real client does. */
function slowModelCall(signal: AbortSignal, log: string[], signals: AbortSignal[] = []): Promise<string> {
  signals.push(signal);
  log.push('call started');
  return sleep(10_000, signal).then(
    () => 'generated',
    (e: unknown) => {
      log.push('call aborted');
      throw e;
    },
  );
}

const MODES: ExecutionMode[] = ['dry-run', 'auto', 'strict'];

/** A step holds here until the test opens it, so no assertion depends on how fast a step runs. */
function gate(): { open(): void; wait(signal: AbortSignal): Promise<void> } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return {
    open,
    wait: (signal) =>
      new Promise<void>((resolve, reject) => {
        signal.addEventListener('abort', () => reject(signal.reason), { once: true });
        void opened.then(resolve);
      }),
  };
}

describe.each(MODES)('intervention in %s mode', (mode) => {
  it('pause aborts the in-flight model call at once; resume redoes the step without redoing its effects', async () => {
    const log: string[] = [];
    const signals: AbortSignal[] = [];
    const effects: number[] = [];
    const steps = new ScriptedSteps({
      script: {
        execute: async (ctx) => {
          await ctx.journalEffect({ key: 'prepare-workspace', kind: 'workspace.prepare' }, () => {
            effects.push(ctx.attempt);
          });
          if (ctx.attempt === 1) await ctx.call('model:worker', (signal) => slowModelCall(signal, log, signals));
          return { summary: `done on attempt ${ctx.attempt}` };
        },
      },
    });
    const { db, engine, submit } = setup(steps);
    const task = submit({ mode });
    if (mode === 'strict') {
      await waitForState(db, task.id, 'awaiting_approval');
      engine.approve(task.id, alice, 'plan');
    }
    await waitFor(() => log.includes('call started') || undefined);
    const paused = engine.pause(task.id, alice);
    expect(paused.state).toEqual({ kind: 'paused', from: 'executing' });
    // At once: the call's signal has fired by the time pause returns; the call then ends through it
    // (its own wait is ten seconds, so nothing else can end it first).
    expect(signals.map((s) => s.aborted)).toEqual([true]);
    await waitFor(() => log.includes('call aborted') || undefined, 5_000, 'the model call to end through its abort');
    await waitFor(() => stepRunsForTask(db, task.id).find((r) => r.phase === 'executing' && r.status === 'aborted'));
    // Paused means nothing runs: no second attempt starts while paused.
    await sleep(50);
    expect(steps.callsOf('execute')).toHaveLength(1);
    expect(engine.status().breakers['model:worker']).toBe('closed');

    engine.resume(task.id, { who: 'alice', via: 'cli' });
    expect(await driveToEnd(db, engine, task.id)).toBe('completed');
    expect(steps.callsOf('execute').map((c) => [c.attempt, c.round])).toEqual([
      [1, 1],
      [2, 1],
    ]);
    expect(effects).toEqual([1]);
    const types = eventsForTask(db, task.id).map((e) => e.type);
    expect(types).toContain('task.paused');
    expect(types).toContain('task.resumed');
    const resumed = eventsForTask(db, task.id).find((e) => e.type === 'task.resumed');
    expect(resumed?.type === 'task.resumed' && resumed.payload.actor).toEqual({ who: 'alice', via: 'cli' });
  });

  it('cancel during a slow step: final at once, the step aborted, the slot freed, the workspace cleaned', async () => {
    // The slow task's plan ends only through its abort signal (its gate never opens), so nothing
    // below depends on how fast anything runs.
    const never = gate();
    let slowId = '';
    const steps = new ScriptedSteps({
      script: {
        plan: async (ctx) => {
          if (ctx.taskId === slowId) await never.wait(ctx.signal);
          return {};
        },
      },
      cleanup: async () => undefined,
    });
    const { db, engine, submit } = setup(steps, { concurrency: 1 });
    const slow = submit({ mode, description: 'slow one' });
    slowId = slow.id;
    await waitFor(() => steps.callsOf('plan', slow.id).length === 1 || undefined);
    const next = submit({ mode, description: 'waiting behind it' });
    const cancelled = engine.cancel(slow.id, alice, 'changed my mind');
    // Final when cancel returns: the answer, the stored row and the step's signal say so before anything awaits.
    expect(cancelled.state).toEqual({ kind: 'cancelled', reason: 'changed my mind' });
    expect(taskOf(db, slow.id).state).toEqual({ kind: 'cancelled', reason: 'changed my mind' });
    const call = steps.callsOf('plan', slow.id)[0]!;
    expect(call.abortedAt).toBeDefined();
    // The in-flight step settles through its abort and its worker slot goes to the next task.
    await waitFor(() => steps.callsOf('plan', next.id).length === 1 || undefined, 5_000, 'the next task to get the slot');
    expect(call.settledAt).toBeDefined();
    expect(call.settledAt!).toBeLessThanOrEqual(steps.callsOf('plan', next.id)[0]!.startedAt);
    await waitFor(() => eventsForTask(db, slow.id).some((e) => e.type === 'task.cleanup') || undefined);
    expect(steps.cleanups).toEqual([slow.id]);
    expect(taskOf(db, slow.id).state.kind).toBe('cancelled');
    expect(stepRunsForTask(db, slow.id).map((r) => r.status)).toEqual(['aborted']);
  });

  it('guidance reaches the running task at its next step boundary, once', async () => {
    const executing = gate();
    const steps = new ScriptedSteps({ script: { execute: async (ctx) => (await executing.wait(ctx.signal), {}) } });
    const { db, engine, submit } = setup(steps);
    const task = submit({ mode });
    if (mode === 'strict') {
      await waitForState(db, task.id, 'awaiting_approval');
      engine.approve(task.id, alice);
    }
    await waitFor(() => steps.callsOf('execute', task.id).length === 1 || undefined);
    engine.guide(task.id, alice, 'keep the public API unchanged');
    executing.open();
    expect(await driveToEnd(db, engine, task.id)).toBe('completed');
    expect(steps.callsOf('execute')[0]!.guidance).toEqual([]);
    expect(steps.callsOf('verify')[0]!.guidance).toEqual(['keep the public API unchanged']);
    expect(steps.callsOf('reviewChange')[0]!.guidance).toEqual([]);
    const journaled = eventsForTask(db, task.id).find((e) => e.type === 'task.guidance');
    expect(journaled?.type === 'task.guidance' && journaled.payload).toEqual({ actor: alice, text: 'keep the public API unchanged' });
  });

  it('override replaces a council rejection with a reason; the task goes on', async () => {
    const steps = new ScriptedSteps({ script: { reviewPlan: async () => ({ decision: 'reject', summary: 'scope too wide' }) } });
    const { db, engine, submit } = setup(steps);
    const task = submit({ mode });
    const waiting = await waitForState(db, task.id, 'awaiting_approval');
    expect(waiting.state).toEqual({ kind: 'awaiting_approval', from: 'reviewing_plan', waitingFor: 'escalation' });
    expect(() => engine.approve(task.id, alice)).toThrow(expect.objectContaining({ code: 'conflict' }));
    engine.override(task.id, alice, 'accept', 'the scope is what I asked for');
    expect(await driveToEnd(db, engine, task.id)).toBe('completed');
    const override = eventsForTask(db, task.id).find((e) => e.type === 'council.overridden');
    expect(override?.type === 'council.overridden' && override.payload).toEqual({
      actor: alice,
      gate: 'escalation',
      decision: 'accept',
      reason: 'the scope is what I asked for',
    });
  });

  it('modify raises max iterations so a failing round can be retried instead of failing the task', async () => {
    let verifies = 0;
    const firstVerify = gate();
    const steps = new ScriptedSteps({
      script: {
        verify: async (ctx) => {
          verifies++;
          if (verifies > 1) return { passed: true, summary: 'clean' };
          await firstVerify.wait(ctx.signal);
          return { passed: false, summary: 'lint fails' };
        },
      },
    });
    const { db, engine, submit } = setup(steps);
    const task = submit({ mode, maxIterations: 1 });
    if (mode === 'strict') {
      await waitForState(db, task.id, 'awaiting_approval');
      engine.approve(task.id, alice);
    }
    await waitFor(() => verifies === 1 || undefined);
    const modified = engine.modify(task.id, alice, { maxIterations: 3, timeBudgetMs: 90 * 60_000 });
    expect(modified.maxIterations).toBe(3);
    firstVerify.open();
    expect(await driveToEnd(db, engine, task.id)).toBe('completed');
    expect(getRuntime(db, task.id)).toMatchObject({ execRounds: 2, timeBudgetMs: 90 * 60_000 });
    expect(() => engine.modify(task.id, alice, { maxIterations: 5 })).toThrow(expect.objectContaining({ code: 'conflict' }));
  });

  it('pausing a queued task keeps it off the workers until it is resumed', async () => {
    const steps = new ScriptedSteps({ delayMs: { plan: 150 } });
    const { db, engine, submit } = setup(steps, { concurrency: 1 });
    const blocker = submit({ mode, description: 'blocker' });
    const queued = submit({ mode, description: 'queued one' });
    expect(taskOf(db, queued.id).state.kind).toBe('queued');
    engine.pause(queued.id, alice);
    await waitFor(() => taskOf(db, blocker.id).state.kind !== 'planning' || undefined);
    await sleep(50);
    expect(taskOf(db, queued.id).state).toEqual({ kind: 'paused', from: 'queued' });
    expect(steps.callsOf('plan', queued.id)).toHaveLength(0);
    engine.resume(queued.id, alice);
    expect(await driveToEnd(db, engine, queued.id)).toBe('completed');
  });

  it('approve and deny apply only where the task waits for them', async () => {
    const planning = gate();
    const steps = new ScriptedSteps({ script: { plan: async (ctx) => (await planning.wait(ctx.signal), {}) } });
    const { db, engine, submit } = setup(steps);
    const task = submit({ mode });
    if (mode !== 'strict') {
      await waitForState(db, task.id, 'planning');
      planning.open();
      expect(() => engine.approve(task.id, alice)).toThrow(expect.objectContaining({ code: 'conflict' }));
      expect(() => engine.deny(task.id, alice, 'no')).toThrow(expect.objectContaining({ code: 'conflict' }));
      expect(await driveToEnd(db, engine, task.id)).toBe('completed');
      expect(statePath(db, task.id)).not.toContain('awaiting:plan');
      return;
    }
    planning.open();
    await waitForState(db, task.id, 'awaiting_approval');
    expect(() => engine.approve(task.id, alice, 'apply')).toThrow(expect.objectContaining({ message: 'the task waits for plan approval, not apply' }));
    const denied = engine.deny(task.id, { who: 'dana', via: 'menu-bar' }, 'the plan touches billing', 'plan');
    expect(denied.state).toEqual({ kind: 'failed', reason: 'plan approval denied by dana (menu-bar): the plan touches billing' });
    expect(steps.callsOf('execute')).toHaveLength(0);
  });
});

describe('intervention edge cases', () => {
  it('cancel is final at once even when the step ignores its abort signal; the zombie cannot journal afterwards', async () => {
    let zombieError: unknown;
    // The zombie holds until the test lets it go, whatever its signal says.
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let zombieId = '';
    const steps = new ScriptedSteps({
      script: {
        plan: async (ctx) => {
          if (ctx.taskId !== zombieId) return {};
          await released; // ignores ctx.signal
          try {
            await ctx.journalEffect({ key: 'late', kind: 'workspace.write' }, () => undefined);
          } catch (e) {
            zombieError = e;
          }
          return {};
        },
      },
    });
    const { db, engine, submit } = setup(steps, { concurrency: 1, abortGraceMs: 100 });
    const task = submit({ mode: 'auto' });
    zombieId = task.id;
    const other = submit({ mode: 'auto', description: 'next in line' });
    await waitFor(() => steps.callsOf('plan', task.id).length === 1 || undefined);
    expect(engine.cancel(task.id, alice).state.kind).toBe('cancelled');
    expect(taskOf(db, task.id).state.kind).toBe('cancelled');
    // After the grace period the slot goes to the next task, though the zombie still runs.
    await waitFor(() => steps.callsOf('plan', other.id).length === 1 || undefined, 5_000, 'the next task to get the slot');
    expect(steps.callsOf('plan', task.id)[0]!.settledAt).toBeUndefined();
    release();
    await waitFor(() => zombieError, 5_000, "the zombie's late write to be refused");
    expect(zombieError).toBeInstanceOf(AppFailure);
    expect(eventsForTask(db, task.id).some((e) => e.type === 'step.effect')).toBe(false);
  });

  it('a step can ask for a tool approval; approving runs it again and it finds the approval', async () => {
    const steps = new ScriptedSteps({
      script: {
        execute: async (ctx) =>
          ctx.approvals.some((a) => a.gate === 'tool') ? { summary: 'installed' } : { awaitApproval: { gate: 'tool', summary: 'run npm install lodash' } },
      },
    });
    const { db, engine, submit } = setup(steps);
    const task = submit({ mode: 'auto' });
    const waiting = await waitForState(db, task.id, 'awaiting_approval');
    expect(waiting.state).toEqual({ kind: 'awaiting_approval', from: 'executing', waitingFor: 'tool' });
    engine.approve(task.id, alice, 'tool');
    await waitForState(db, task.id, 'completed');
    expect(steps.callsOf('execute')).toHaveLength(2);
  });

  it('a running step can pick up guidance at its own boundaries; it is not delivered again', async () => {
    const seen: string[] = [];
    const steps = new ScriptedSteps({
      script: {
        execute: async (ctx) => {
          for (let i = 0; i < 40 && seen.length === 0; i++) {
            await sleep(10, ctx.signal);
            seen.push(...ctx.takeGuidance().map((g) => g.text));
          }
          return {};
        },
      },
    });
    const { db, engine, submit } = setup(steps);
    const task = submit({ mode: 'auto' });
    await waitFor(() => steps.callsOf('execute').length === 1 || undefined);
    engine.guide(task.id, alice, 'prefer small commits');
    await waitForState(db, task.id, 'completed');
    expect(seen).toEqual(['prefer small commits']);
    expect(steps.callsOf('verify')[0]!.guidance).toEqual([]);
  });
});

describe('intervention through the contract', () => {
  it('every command works from a client session and records the actor it names', async () => {
    const steps = new ScriptedSteps({ delayMs: { plan: 5_000 } });
    const { core, db, submit } = setup(steps);
    const session = new ContractSession(core, () => undefined);
    cleanups.push(() => session.close());
    const task = submit({ mode: 'strict' });
    await waitForState(db, task.id, 'planning');
    const cli = { who: 'erin', via: 'cli' } as const;
    const paused = await session.call('pauseTask', { id: task.id, actor: cli });
    expect(paused).toMatchObject({ ok: true, value: { state: { kind: 'paused', from: 'planning' } } });
    expect(await session.call('guideTask', { id: task.id, actor: cli, text: 'mind the tests' })).toMatchObject({ ok: true });
    expect(await session.call('modifyTask', { id: task.id, actor: cli, timeBudgetMinutes: 30 })).toMatchObject({ ok: true });
    expect(getRuntime(db, task.id)?.timeBudgetMs).toBe(30 * 60_000);
    expect(await session.call('resumeTask', { id: task.id, actor: cli })).toMatchObject({ ok: true, value: { state: { kind: 'planning' } } });
    expect(await session.call('resumeTask', { id: task.id, actor: cli })).toMatchObject({
      ok: false,
      error: { code: 'conflict', message: 'the task is not paused' },
    });
    expect(await session.call('approve', { id: task.id, actor: cli })).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(await session.call('overrideDecision', { id: task.id, actor: cli, decision: 'accept', reason: 'x' })).toMatchObject({
      ok: false,
      error: { code: 'invalid_input', issues: [{ path: 'reason' }] },
    });
    // A client cannot speak as the engine itself.
    expect(await session.call('cancelTask', { id: task.id, actor: { who: 'erin', via: 'system' } })).toMatchObject({
      ok: false,
      error: { code: 'invalid_input', issues: [{ path: 'actor.via' }] },
    });
    expect(await session.call('cancelTask', { id: task.id, actor: cli, reason: 'done here' })).toMatchObject({
      ok: true,
      value: { state: { kind: 'cancelled', reason: 'done here' } },
    });
    const actors = eventsForTask(db, task.id).flatMap((e) =>
      e.type === 'task.paused' || e.type === 'task.resumed' || e.type === 'task.guidance' || e.type === 'task.modified' || e.type === 'task.cancelled'
        ? [[e.type, e.payload.actor.via]]
        : [],
    );
    expect(actors).toEqual([
      ['task.paused', 'cli'],
      ['task.guidance', 'cli'],
      ['task.modified', 'cli'],
      ['task.resumed', 'cli'],
      ['task.cancelled', 'cli'],
    ]);
  });

  it('says so when no engine runs in the process', async () => {
    const core = testCore({ scheduler: { autoStart: false } });
    cleanups.push(() => core.cleanup());
    const session = new ContractSession(core, () => undefined);
    const task = core.tasks.submit(SubmitTaskInput.parse({ description: 'no engine here', repoPath: core.repo }));
    expect(await session.call('pauseTask', { id: task.id, actor: alice })).toMatchObject({ ok: false, error: { code: 'unavailable' } });
  });
});
