import { afterEach, describe, expect, it } from 'vitest';
import { testCore } from '../../../../test/helpers';
import type { Actor, AgentEvent } from '../../../shared/domain/events';
import { SubmitTaskInput, type SubmitTaskInput as SubmitInput } from '../../../shared/domain/task';
import { AppFailure } from '../../../shared/errors';
import { eventsForTask } from '../db/queries/events';
import { standingApprovalsForTask } from '../db/queries/standing-approvals';
import { approvalsForTask } from '../db/queries/task-approvals';
import type { Db } from '../db/open';
import { TaskEngine } from './engine';
import { ScriptedSteps, type ScriptedStepsOptions } from './testing/scripted-steps';
import { statePath, taskOf, waitFor, waitForState } from './testing/wait';

const alice: Actor = { who: 'alice', via: 'window' };
const bob: Actor = { who: 'bob', via: 'cli' };
const cleanups: (() => void)[] = [];

afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

function setup(options: ScriptedStepsOptions = {}) {
  const steps = new ScriptedSteps(options);
  const core = testCore({ steps, scheduler: { autoStart: false }, engine: { concurrency: 2, watchdogIntervalMs: 0, abortGraceMs: 200 } });
  cleanups.push(() => core.cleanup());
  const submit = (input: Partial<SubmitInput> = {}) =>
    core.tasks.submit(SubmitTaskInput.parse({ description: 'add input validation', repoPath: core.repo, mode: 'strict', ...input }));
  return { core, steps, engine: core.engine!, db: core.db, submit };
}

type Granted = Extract<AgentEvent, { type: 'approval.granted' }>['payload'];
const grants = (db: Db, id: string): Granted[] => eventsForTask(db, id).flatMap((e) => (e.type === 'approval.granted' ? [e.payload] : []));

async function waitingFor(db: Db, id: string, gate: string) {
  const task = await waitForState(db, id, 'awaiting_approval');
  expect(task.state).toMatchObject({ waitingFor: gate });
  return task;
}

describe('standing approvals (strict mode)', () => {
  it('phase scope passes every later approval of the same gate, but still stops at apply', async () => {
    let reviews = 0;
    // The council asks for changes once: a second round reaches the changeset gate again.
    const { db, engine, submit } = setup({
      script: { reviewChange: async () => (++reviews === 1 ? { decision: 'modify', summary: 'name the helper better' } : { decision: 'accept', summary: 'fine' }) },
    });
    const task = submit();
    await waitingFor(db, task.id, 'plan');
    engine.approve(task.id, alice, 'plan');
    await waitingFor(db, task.id, 'changeset');
    engine.approve(task.id, alice, 'changeset', 'phase');
    await waitingFor(db, task.id, 'apply');
    expect(reviews).toBe(2);
    expect(statePath(db, task.id)).toEqual([
      'planning', 'reviewing_plan', 'awaiting:plan', 'executing', 'verifying', 'awaiting:changeset', 'reviewing_change',
      'executing', 'verifying', 'awaiting:changeset', 'reviewing_change', 'awaiting:apply',
    ]);
    const [standing] = standingApprovalsForTask(db, task.id, false);
    expect(standing).toMatchObject({ scope: 'phase', gate: 'changeset', covers: ['changeset'], actor: alice, revokedAt: null });
    expect(grants(db, task.id)).toEqual([
      { gate: 'plan', actor: alice },
      { gate: 'changeset', actor: alice, scope: 'phase' },
      { gate: 'changeset', actor: alice, standing: { approvalId: standing!.id, scope: 'phase' } },
    ]);
    engine.approve(task.id, bob, 'apply');
    await waitForState(db, task.id, 'completed');
  });

  it('task scope runs through to completion, every automatic approval naming the standing approval it came from', async () => {
    const { db, engine, submit } = setup();
    const task = submit();
    await waitingFor(db, task.id, 'plan');
    engine.approve(task.id, bob, 'plan', 'task');
    await waitForState(db, task.id, 'completed');
    const events = eventsForTask(db, task.id);
    const given = events.find((e) => e.type === 'approval.standing');
    expect(given?.payload).toMatchObject({ gate: 'plan', scope: 'task', covers: ['plan', 'changeset', 'apply'], actor: bob });
    const id = given?.type === 'approval.standing' ? given.payload.approvalId : -1;
    expect(grants(db, task.id)).toEqual([
      { gate: 'plan', actor: bob, scope: 'task' },
      { gate: 'changeset', actor: bob, standing: { approvalId: id, scope: 'task' } },
      { gate: 'apply', actor: bob, standing: { approvalId: id, scope: 'task' } },
    ]);
    // Each gate was still requested and decided on record; the stored approvals say how.
    expect(events.filter((e) => e.type === 'approval.requested')).toHaveLength(3);
    expect(approvalsForTask(db, task.id).map((a) => [a.gate, a.status, a.actor?.who, a.reason])).toEqual([
      ['plan', 'granted', 'bob', null],
      ['changeset', 'granted', 'bob', `standing approval #${id} (for the rest of this task)`],
      ['apply', 'granted', 'bob', `standing approval #${id} (for the rest of this task)`],
    ]);
    // Journal order stays gap-free.
    expect(events.map((e) => e.taskSeq)).toEqual(events.map((_, i) => i + 1));
  });

  it('a revoked standing approval passes nothing: the next gate stops for a human; the revocation is journaled', async () => {
    const { db, engine, submit } = setup({ delayMs: { execute: 300 } });
    const task = submit();
    await waitingFor(db, task.id, 'plan');
    engine.approve(task.id, alice, 'plan', 'task');
    await waitForState(db, task.id, 'executing');
    const [standing] = standingApprovalsForTask(db, task.id, false);
    const revoked = engine.revokeApproval(task.id, standing!.id, bob);
    expect(revoked).toMatchObject({ id: standing!.id, revokedBy: bob });
    expect(() => engine.revokeApproval(task.id, standing!.id, bob)).toThrow(/already revoked by bob/);
    expect(() => engine.revokeApproval('tsk_other', standing!.id, bob)).toThrow(AppFailure);
    await waitingFor(db, task.id, 'changeset');
    expect(standingApprovalsForTask(db, task.id, false)).toEqual([]);
    expect(standingApprovalsForTask(db, task.id, true)).toHaveLength(1);
    expect(eventsForTask(db, task.id).find((e) => e.type === 'approval.revoked')?.payload).toEqual({
      approvalId: standing!.id,
      gate: 'plan',
      scope: 'task',
      actor: bob,
    });
    expect(grants(db, task.id)).toHaveLength(1);
  });

  it('never passes a council rejection, and cannot be given at one', async () => {
    const { db, engine, submit } = setup({ script: { reviewChange: async () => ({ decision: 'reject', summary: 'breaks the public API' }) } });
    const task = submit();
    await waitingFor(db, task.id, 'plan');
    engine.approve(task.id, alice, 'plan', 'task');
    await waitingFor(db, task.id, 'escalation');
    // The changeset passed on its own; the rejection waits for a human.
    expect(grants(db, task.id).map((g) => g.gate)).toEqual(['plan', 'changeset']);
    expect(() => engine.approve(task.id, alice, 'escalation', 'task')).toThrow(/council rejected this/);
    await new Promise((r) => setTimeout(r, 50));
    expect(taskOf(db, task.id).state).toMatchObject({ kind: 'awaiting_approval', waitingFor: 'escalation' });
  });

  it('survives a crash: after a restart the standing approval still passes the remaining gates, once each', async () => {
    const { core, db, engine, submit } = setup({ delayMs: { execute: 5_000 } });
    const task = submit();
    await waitingFor(db, task.id, 'plan');
    engine.approve(task.id, alice, 'plan', 'task');
    await waitForState(db, task.id, 'executing');
    await waitFor(() => engine.status().running.length === 1 || undefined);
    engine.stop();

    const engine2 = new TaskEngine({
      db,
      journal: core.journal,
      clock: { now: () => Date.now() },
      logger: core.logger,
      steps: new ScriptedSteps(),
      settings: { watchdogIntervalMs: 0 },
    });
    cleanups.push(() => engine2.stop());
    engine2.start();
    await waitForState(db, task.id, 'completed');
    const [standing] = standingApprovalsForTask(db, task.id, false);
    expect(grants(db, task.id)).toEqual([
      { gate: 'plan', actor: alice, scope: 'task' },
      { gate: 'changeset', actor: alice, standing: { approvalId: standing!.id, scope: 'task' } },
      { gate: 'apply', actor: alice, standing: { approvalId: standing!.id, scope: 'task' } },
    ]);
    expect(eventsForTask(db, task.id).filter((e) => e.type === 'approval.standing')).toHaveLength(1);
  });

  it('tool approvals keep their own grants: a scope beyond once is refused there', async () => {
    let asked = false;
    const { db, engine, submit } = setup({
      script: {
        execute: async () => {
          if (asked) return { summary: 'ran it' };
          asked = true;
          return { awaitApproval: { gate: 'tool', summary: 'run a shell command' } };
        },
      },
    });
    const task = submit({ mode: 'auto' });
    await waitingFor(db, task.id, 'tool');
    expect(() => engine.approve(task.id, alice, 'tool', 'task')).toThrow(/cannot be given for a phase or the whole task/);
    expect(standingApprovalsForTask(db, task.id, true)).toEqual([]);
  });
});
