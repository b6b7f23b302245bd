import { describe, expect, it } from 'vitest';
import type { AgentEvent } from '../../shared/domain/events';
import type { Task } from '../../shared/domain/task';
import { AppFailure } from '../../shared/errors';
import { silentLogger } from '../core/observability/logger';
import { approvalVerbs } from './approval-verbs';
import { notificationFor } from './notify-policy';
import { performShellAction, type ShellActionDeps } from './shell-actions';
import { trayMenu, type TrayItem } from './tray-model';

const waitingTask = (gate: 'escalation' | 'plan'): Task =>
  ({
    id: 'tsk_waiting000',
    description: 'validate the signup form',
    repoPath: '/repo',
    mode: 'auto',
    riskTier: 2,
    priority: 'normal',
    maxIterations: 3,
    state: { kind: 'awaiting_approval', waitingFor: gate, from: 'reviewing_change', summary: 'split council' },
    progress: 60,
    createdAt: 1,
    updatedAt: 1,
  }) as unknown as Task;

const labels = (items: TrayItem[]): string[] => items.flatMap((i) => (i.type === 'item' ? [i.label] : i.type === 'submenu' ? labels(i.items) : []));

describe('approval verbs where the user acts', () => {
  it('offers override with a reason and deny for an escalation, never approve', () => {
    const verbs = approvalVerbs('tsk_waiting000', 'escalation');
    expect(verbs.map((v) => v.label)).toEqual(['Override with a reason…', 'Deny']);
    expect(verbs[0]!.action).toEqual({ kind: 'open-task', taskId: 'tsk_waiting000', focus: 'override' });
    expect(approvalVerbs('tsk_waiting000', 'plan').map((v) => v.label)).toEqual(['Approve plan', 'Deny plan']);

    const menu = labels(trayMenu({ tasks: [waitingTask('escalation')], pressure: null, loadedModels: null, engine: true }).items);
    expect(menu).toContain('Override with a reason…');
    expect(menu.some((l) => l.startsWith('Approve'))).toBe(false);

    const event = { type: 'approval.requested', taskId: 'tsk_waiting000', seq: 9, ts: 1, payload: { gate: 'escalation', summary: 'the council is split' } } as unknown as AgentEvent;
    expect(notificationFor(event, waitingTask('escalation'))!.actions.map((a) => a.label)).toEqual(['Override with a reason…', 'Deny']);
  });

  it('reports every refusal to the person who acted instead of doing nothing silently', () => {
    const shown: (string | undefined)[] = [];
    const deps: ShellActionDeps = {
      tasks: { list: () => [] },
      engine: {
        pause: () => ({}) as Task,
        resume: () => ({}) as Task,
        approve: () => {
          throw new AppFailure('conflict', 'the plan was already approved');
        },
        deny: () => ({}) as Task,
      },
      logger: silentLogger(),
      showWindow: (route) => shown.push(route),
      quit: () => undefined,
    };
    const escalation = performShellAction(deps, { kind: 'approve', taskId: 'tsk_waiting000', gate: 'escalation' }, 'notification');
    expect(escalation).toMatchObject({ done: 0, failed: 1 });
    expect(escalation.refusals[0]).toMatch(/cannot be approved: override it with a reason/);
    const stale = performShellAction(deps, { kind: 'approve', taskId: 'tsk_waiting000', gate: 'plan' }, 'menu-bar');
    expect(stale.refusals).toEqual(['tsk_waiting000: the plan was already approved']);
    expect(performShellAction({ ...deps, engine: undefined }, { kind: 'deny', taskId: 'tsk_waiting000', gate: 'plan' }, 'menu-bar').refusals[0]).toMatch(/engine is not running/);
    performShellAction(deps, { kind: 'open-task', taskId: 'tsk_waiting000', focus: 'override' }, 'notification');
    expect(shown).toEqual(['tasks/tsk_waiting000?act=override']);
  });
});
