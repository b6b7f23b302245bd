import { describe, expect, it } from 'vitest';
import type { Actor } from '../../shared/domain/events';
import type { Task, TaskStateKind } from '../../shared/domain/task';
import { AppFailure } from '../../shared/errors';
import { silentLogger } from '../core/observability/logger';
import { performShellAction, type ShellActionDeps } from './shell-actions';

function fixture(tasks: { id: string; kind: TaskStateKind }[]) {
  const calls: string[] = [];
  const shown: (string | undefined)[] = [];
  const deps: ShellActionDeps = {
    tasks: { list: (f) => tasks.filter((t) => f.states?.includes(t.kind)).map((t) => ({ id: t.id }) as Task) },
    engine: {
      pause: (id: string, a: Actor) => {
        if (id === 'tsk_refuses00') throw new AppFailure('conflict', 'cannot pause now');
        calls.push(`pause ${id} by ${a.via}`);
        return {} as Task;
      },
      resume: (id: string) => (calls.push(`resume ${id}`), {} as Task),
      approve: (id: string, a: Actor, gate?: string) => (calls.push(`approve ${id} ${gate} via ${a.via}`), {} as Task),
      deny: (id: string, _a: Actor, reason: string) => (calls.push(`deny ${id}: ${reason}`), {} as Task),
    },
    logger: silentLogger(),
    showWindow: (route) => shown.push(route),
    quit: () => calls.push('quit'),
  };
  return { deps, calls, shown };
}

describe('menu-bar and notification actions', () => {
  it('pauses every active task, and one refusal does not stop the others', () => {
    const f = fixture([
      { id: 'tsk_planning00', kind: 'planning' },
      { id: 'tsk_refuses00', kind: 'executing' },
      { id: 'tsk_queued0000', kind: 'queued' },
      { id: 'tsk_paused0000', kind: 'paused' },
      { id: 'tsk_done000000', kind: 'completed' },
    ]);
    expect(performShellAction(f.deps, { kind: 'pause-all' }, 'menu-bar')).toEqual({ done: 2, failed: 1, refusals: ['tsk_refuses00: cannot pause now'] });
    expect(f.calls).toEqual(['pause tsk_planning00 by menu-bar', 'pause tsk_queued0000 by menu-bar']);
    expect(performShellAction(f.deps, { kind: 'resume-all' }, 'menu-bar')).toEqual({ done: 1, failed: 0, refusals: [] });
    expect(f.calls.at(-1)).toBe('resume tsk_paused0000');
  });

  it('approves and denies the gate it was shown, recording where from', () => {
    const f = fixture([]);
    performShellAction(f.deps, { kind: 'approve', taskId: 'tsk_aaaaaaaaaa', gate: 'plan' }, 'notification');
    performShellAction(f.deps, { kind: 'deny', taskId: 'tsk_aaaaaaaaaa', gate: 'plan' }, 'menu-bar');
    expect(f.calls).toEqual(['approve tsk_aaaaaaaaaa plan via notification', 'deny tsk_aaaaaaaaaa: denied from the menu bar']);
  });

  it('opens the task in the window', () => {
    const f = fixture([]);
    performShellAction(f.deps, { kind: 'open-task', taskId: 'tsk_aaaaaaaaaa' }, 'notification');
    expect(f.shown).toEqual(['tasks/tsk_aaaaaaaaaa']);
  });

  it('does nothing to tasks when no engine runs', () => {
    const f = fixture([{ id: 'tsk_planning00', kind: 'planning' }]);
    f.deps.engine = undefined;
    expect(performShellAction(f.deps, { kind: 'pause-all' }, 'menu-bar')).toMatchObject({ done: 0, failed: 1, refusals: [expect.stringMatching(/engine is not running/)] });
  });
});
