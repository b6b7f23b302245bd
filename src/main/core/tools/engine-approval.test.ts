import { resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { testCore } from '../../../../test/helpers';
import type { Actor } from '../../../shared/domain/events';
import { SubmitTaskInput } from '../../../shared/domain/task';
import { ContractSession } from '../api/session';
import { eventsForTask } from '../db/queries/events';
import { ScriptedSteps } from '../engine/testing/scripted-steps';
import { waitFor, waitForState } from '../engine/testing/wait';
import { upsertWorkspace } from '../db/queries/workspaces';
import { toAwaitApproval } from './engine-approval';
import { scriptServer } from './testing/fixtures';
import { parseToolCallAction, runToolAction, type ToolActionResult } from './worker-tools';

/**
 * `ask` tools inside the real task engine: the step stops for strict mode's approval flow, the task
 * waits (awaiting_approval, waitingFor tool), and the human's answer decides whether the call runs.
 */

const ECHO = resolve('src/main/core/tools/testing/echo-server.mjs');
const alice = { who: 'alice', via: 'window' } as const satisfies Actor;
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** A worker whose model always proposes the same tool call: add a tool named `made_by_<task>`. */
async function setup() {
  const results: ToolActionResult[] = [];
  // The steps need the core, which is made with the steps.
  const ref: { core?: ReturnType<typeof testCore> } = {};
  const steps = new ScriptedSteps({
    script: {
      execute: async (ctx) => {
        const action = parseToolCallAction({ action: 'tool_call', reason: 'need a tool', tool: 'dyn.add_tool', arguments_json: JSON.stringify({ name: 'made_by_worker' }) });
        if (!action.ok) throw new Error(action.error.message);
        try {
          const r = await runToolAction(ref.core!.tools, ctx, action.value);
          results.push(r);
          return { summary: r.prompt };
        } catch (e) {
          const waiting = toAwaitApproval(e);
          if (waiting) return waiting;
          throw e;
        }
      },
    },
  });
  const core = testCore({ steps, scheduler: { autoStart: false }, engine: { concurrency: 1, watchdogIntervalMs: 0, retry: { baseDelayMs: 5, maxDelayMs: 20 } } });
  ref.core = core;
  cleanups.push(() => core.cleanup());
  cleanups.push(() => core.tools.close());
  await core.tools.addServer(scriptServer('dyn', ECHO, ['dyn']), false, 'test');
  await core.tools.setPermission('dyn', 'add_tool', 'ask', 'test');
  const session = new ContractSession(core, () => undefined);
  cleanups.push(() => session.close());
  // Scripted steps make no workspace; the task's tool servers run sandboxed in one, so each task
  // gets the repository as its workspace record (as WorkspaceManager would write it) at once.
  const submit = () => {
    const task = core.tasks.submit(SubmitTaskInput.parse({ description: 'use a tool', repoPath: core.repo, mode: 'auto' }));
    const now = Date.now();
    upsertWorkspace(core.db, { taskId: task.id, path: core.repo, sourcePath: core.repo, kind: 'copy', branch: `agent-agency/${task.id}`, baseCommit: '0'.repeat(40), state: 'active', sizeBytes: 0, createdAt: now, updatedAt: now });
    return task;
  };
  // The tool is made in the task's own (sandboxed) server process, which ends with the task: what
  // the call answered shows it was made.
  const madeTool = () => results.some((r) => r.outcome.status === 'ok' && r.prompt.includes('added made_by_worker'));
  return { core, session, results, submit, madeTool };
}

describe('ask tools in the task engine', () => {
  it('waits for approval; approving once runs the call, which is journaled with the approver', async () => {
    const { core, session, results, submit, madeTool } = await setup();
    const task = submit();
    const waiting = await waitForState(core.db, task.id, 'awaiting_approval', 15_000);
    expect(waiting.state).toEqual({ kind: 'awaiting_approval', from: 'executing', waitingFor: 'tool' });
    expect(madeTool()).toBe(false);
    const pending = await session.call('getPendingToolCall', { id: task.id });
    expect(pending).toMatchObject({ ok: true, value: { tool: 'dyn.add_tool', arguments: { name: 'made_by_worker' } } });

    const approved = await session.call('approveToolCall', { id: task.id, actor: alice, scope: 'once' });
    expect(approved.ok).toBe(true);
    await waitForState(core.db, task.id, 'completed', 15_000);
    await waitFor(() => madeTool() || undefined, 5_000, 'the tool the call made');
    expect(results.map((r) => r.outcome.status)).toEqual(['ok']);
    expect(results[0]!.prompt).toContain('added made_by_worker');

    const events = eventsForTask(core.db, task.id);
    const types = events.map((e) => e.type);
    expect(types.indexOf('approval.requested')).toBeLessThan(types.indexOf('approval.granted'));
    expect(types.indexOf('approval.granted')).toBeLessThan(types.indexOf('tool.called'));
    const called = events.find((e) => e.type === 'tool.called');
    expect(called?.payload).toMatchObject({ tool: 'dyn.add_tool', allowedBy: { kind: 'approval', actor: alice, scope: 'once' } });
    // Approved once: no standing grant.
    expect(core.tools.grants({ includeRevoked: true })).toEqual([]);
  }, 30_000);

  it('denying fails the task and the call never reaches the server', async () => {
    const { core, session, results, submit, madeTool } = await setup();
    const task = submit();
    await waitForState(core.db, task.id, 'awaiting_approval', 15_000);
    const denied = await session.call('deny', { id: task.id, actor: alice, gate: 'tool', reason: 'no new tools today' });
    expect(denied.ok).toBe(true);
    await waitForState(core.db, task.id, 'failed', 5_000);
    expect(results).toEqual([]);
    expect(eventsForTask(core.db, task.id).some((e) => e.type === 'tool.called')).toBe(false);
    await core.tools.restartServer('dyn');
    expect(madeTool()).toBe(false);
  }, 30_000);

  it('approving "always" stores a grant: the next task runs the same tool without stopping, until revoked', async () => {
    const { core, session, submit } = await setup();
    const first = submit();
    await waitForState(core.db, first.id, 'awaiting_approval', 15_000);
    expect((await session.call('approveToolCall', { id: first.id, actor: alice, scope: 'always' })).ok).toBe(true);
    await waitForState(core.db, first.id, 'completed', 15_000);
    const [grant] = core.tools.grants({ includeRevoked: false });
    expect(grant).toMatchObject({ tool: 'dyn.add_tool', scope: 'always', taskId: null, actor: alice });

    const second = submit();
    await waitForState(core.db, second.id, 'completed', 15_000);
    const called = eventsForTask(core.db, second.id).find((e) => e.type === 'tool.called');
    expect(called?.payload).toMatchObject({ allowedBy: { kind: 'grant', grantId: grant!.id, actor: alice } });

    expect((await session.call('revokeToolGrant', { id: grant!.id, actor: { who: 'bob', via: 'cli' } })).ok).toBe(true);
    const third = submit();
    await waitForState(core.db, third.id, 'awaiting_approval', 15_000);
    await waitFor(() => core.tools.pendingCall(third.id) ?? undefined);
  }, 40_000);
});
